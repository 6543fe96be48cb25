// The inbox: live refresh over a WebSocket, and keyboard shortcuts. Loaded on every
// console page for "g i"; the rest runs only on the inbox.
//
// The socket only says "something changed"; the page then fetches its own URL with
// fragment=1 and swaps the list and the counts. The search form is never touched, so
// nothing typed is lost, and the selected row (by its id) and the scroll stay put.
(function () {
  "use strict";

  function typing(target) {
    if (!target || !target.tagName) return false;
    var tag = target.tagName.toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }

  // "g" then "i" goes to the inbox from any console page.
  var pendingG = 0;
  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    if (document.querySelector("dialog[open]")) return;
    if (event.key === "i" && pendingG && Date.now() - pendingG < 1500) {
      pendingG = 0;
      event.preventDefault();
      window.location.assign("/console/");
      return;
    }
    pendingG = event.key === "g" ? Date.now() : 0;
  });

  var root = document.getElementById("inbox");
  if (!root) return;
  var list = document.getElementById("inbox-list");
  var live = document.getElementById("inbox-live");
  var help = document.getElementById("inbox-help");
  var helpOpen = document.getElementById("inbox-help-open");
  var search = document.getElementById("inbox-q");
  var selectedKey = null;

  // Rows and selection.

  function rows() {
    return list ? Array.prototype.slice.call(list.querySelectorAll(".inbox-row")) : [];
  }

  function select(row, focus) {
    rows().forEach(function (other) { other.classList.remove("is-selected"); });
    if (!row) { selectedKey = null; return; }
    row.classList.add("is-selected");
    selectedKey = row.getAttribute("data-key");
    var link = row.querySelector(".inbox-row__link");
    if (focus && link) {
      link.focus({ preventScroll: true });
      row.scrollIntoView({ block: "nearest" });
    }
  }

  function current() {
    var all = rows();
    for (var i = 0; i < all.length; i++) {
      if (all[i].getAttribute("data-key") === selectedKey) return i;
    }
    return -1;
  }

  function move(step) {
    var all = rows();
    if (!all.length) return;
    var index = current();
    index = index < 0 ? (step > 0 ? 0 : all.length - 1) : Math.min(all.length - 1, Math.max(0, index + step));
    select(all[index], true);
  }

  function open() {
    var all = rows();
    var row = all[current()] || null;
    var link = row && row.querySelector(".inbox-row__link");
    if (link) window.location.assign(link.href);
  }

  if (list) {
    list.addEventListener("focusin", function (event) {
      var row = event.target.closest && event.target.closest(".inbox-row");
      if (row) select(row, false);
    });
    list.addEventListener("click", function (event) {
      var row = event.target.closest && event.target.closest(".inbox-row");
      if (row) select(row, false);
    });
  }

  // Keyboard shortcuts: never while typing in a field.

  function showHelp() {
    if (help && !help.open) help.showModal();
  }

  if (helpOpen) helpOpen.addEventListener("click", showHelp);

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "Escape" && event.target === search) {
      search.blur();
      return;
    }
    if (typing(event.target) || (help && help.open)) return;
    var key = event.key;
    if (key === "j") { event.preventDefault(); move(1); }
    else if (key === "k") { event.preventDefault(); move(-1); }
    else if (key === "o" || (key === "Enter" && event.target === document.body)) {
      if (current() >= 0) { event.preventDefault(); open(); }
    }
    else if (key === "/") {
      if (search) { event.preventDefault(); search.focus(); search.select(); }
    }
    else if (key === "?") { event.preventDefault(); showHelp(); }
  });

  // Live refresh.

  var refreshing = false;
  var again = false;

  function say(text) {
    if (live) live.textContent = text;
  }

  function fragmentUrl() {
    var url = new URL(window.location.href);
    url.searchParams.set("fragment", "1");
    return url.toString();
  }

  function refresh() {
    if (refreshing) { again = true; return; }
    refreshing = true;
    var before = {};
    rows().forEach(function (row) { before[row.getAttribute("data-key")] = true; });
    var focusedKey = null;
    if (document.activeElement && list && list.contains(document.activeElement)) {
      var focusedRow = document.activeElement.closest(".inbox-row");
      focusedKey = focusedRow ? focusedRow.getAttribute("data-key") : null;
    }
    fetch(fragmentUrl(), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (response.redirected || response.status === 401 || response.status === 403) {
          say("Your session has ended: reload the page to sign in again.");
          return null;
        }
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) {
        if (!data) return;
        Object.keys(data.counts).forEach(function (key) {
          var badge = document.getElementById("count-" + key);
          if (!badge) return;
          var count = data.counts[key];
          var text = count >= 1000 ? count + "+" : String(count);
          if (badge.textContent !== text) {
            badge.textContent = text;
            badge.setAttribute("aria-label", count + (count >= 1000 ? " or more" : "") + " items");
          }
        });
        var scroll = window.scrollY;
        list.innerHTML = data.list;
        var fresh = 0;
        rows().forEach(function (row) {
          if (!before[row.getAttribute("data-key")]) { row.classList.add("is-new"); fresh += 1; }
        });
        var keep = null;
        rows().forEach(function (row) { if (row.getAttribute("data-key") === selectedKey) keep = row; });
        select(keep, false);
        if (focusedKey) {
          var again_ = list.querySelector('.inbox-row[data-key="' + CSS.escape(focusedKey) + '"] .inbox-row__link');
          if (again_) again_.focus({ preventScroll: true });
        }
        window.scrollTo(0, scroll);
        var time = new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
        say(fresh ? fresh + " new in this list · updated " + time : "Updated " + time);
      })
      .catch(function () { say("Could not refresh; retrying with the next change."); })
      .then(function () {
        refreshing = false;
        if (again) { again = false; refresh(); }
      });
  }

  var socket = null;
  var retry = 1000;

  function connect() {
    var path = root.getAttribute("data-socket");
    if (!path || !window.WebSocket) return;
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + window.location.host + path);
    socket.addEventListener("open", function () { retry = 1000; });
    socket.addEventListener("message", function (event) {
      var frame;
      try { frame = JSON.parse(event.data); } catch (error) { return; }
      if (frame.type === "hello") {
        root.setAttribute("data-live", "on");
      } else if (frame.type === "changed") {
        refresh();
      }
    });
    socket.addEventListener("close", function (event) {
      root.setAttribute("data-live", "off");
      if (event.code === 4401 || event.code === 4403) {
        say("Live updates stopped: reload the page to sign in again.");
        return;
      }
      say("Live updates paused; reconnecting…");
      window.setTimeout(function () { connect(); refresh(); }, retry);
      retry = Math.min(retry * 2, 30000);
    });
  }

  connect();
  // A connection that was quietly dropped (sleep, network change) is noticed here.
  window.setInterval(function () {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: "ping" }));
  }, 25000);
})();
