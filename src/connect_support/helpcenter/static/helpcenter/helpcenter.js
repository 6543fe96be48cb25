// The support site's small scripts: visitor state, type-ahead search, "Was this helpful?".
// Pages are cached and shared by every visitor, so anything about *this* visitor is
// fetched from api/me here and never rendered into the page.
(function () {
  "use strict";

  var BASE = "/embedded-connect/";
  var visitor = null;

  function loadVisitor() {
    if (!visitor) {
      visitor = fetch(BASE + "api/me", { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { signed_in: false }; })
        .catch(function () { return { signed_in: false }; });
    }
    return visitor;
  }

  function applyVisitor(state) {
    document.querySelectorAll("[data-hc-contact-panel]").forEach(function (panel) {
      panel.setAttribute("data-hc-signed-in", state.signed_in ? "true" : "false");
    });
    if (!state.csrf_token) return;
    document.querySelectorAll("form[data-hc-csrf]").forEach(function (form) {
      var input = form.querySelector("input[name=csrfmiddlewaretoken]");
      if (!input) {
        input = document.createElement("input");
        input.type = "hidden";
        input.name = "csrfmiddlewaretoken";
        form.appendChild(input);
      }
      input.value = state.csrf_token;
    });
    document.querySelectorAll("[data-hc-feedback]").forEach(function (section) { section.hidden = false; });
  }

  // ---- Type-ahead: the ARIA 1.2 combobox pattern over a listbox of article links ----
  function setupTypeahead(input) {
    var form = input.closest("form");
    var list = document.getElementById(input.getAttribute("aria-controls"));
    var status = form.querySelector("[data-hc-typeahead-status]");
    var locale = form.querySelector("input[name=locale]");
    var timer = null;
    var serial = 0;
    var active = -1;

    function options() { return Array.prototype.slice.call(list.querySelectorAll("[role=option]")); }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var items = options();
      items.forEach(function (item, position) { item.setAttribute("aria-selected", position === index ? "true" : "false"); });
      active = index;
      if (index >= 0 && items[index]) {
        input.setAttribute("aria-activedescendant", items[index].id);
        items[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function option(id, href, title, snippetHtml, extraClass) {
      var item = document.createElement("li");
      item.id = id;
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", "false");
      if (extraClass) item.className = extraClass;
      var link = document.createElement("a");
      link.href = href;
      link.tabIndex = -1;
      var heading = document.createElement("span");
      heading.className = "hc-suggestion__title";
      heading.textContent = title;
      link.appendChild(heading);
      if (snippetHtml) {
        var snippet = document.createElement("span");
        snippet.className = "hc-suggestion__snippet";
        // The server escapes the snippet and adds only <mark> elements.
        snippet.innerHTML = snippetHtml;
        link.appendChild(snippet);
      }
      item.appendChild(link);
      return item;
    }

    function render(query, results) {
      list.textContent = "";
      var suffix = locale ? "?locale=" + encodeURIComponent(locale.value) : "";
      results.forEach(function (result, index) {
        list.appendChild(option(list.id + "-" + index, result.url + suffix, result.title, result.snippet));
      });
      var searchAll = form.action + "?q=" + encodeURIComponent(query) + (locale ? "&locale=" + encodeURIComponent(locale.value) : "");
      list.appendChild(option(list.id + "-all", searchAll, results.length ? "See all results for “" + query + "”" : "Search for “" + query + "”", "", "hc-suggestion--all"));
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      active = -1;
      if (status) {
        status.textContent = results.length ? results.length + (results.length === 1 ? " suggestion" : " suggestions") + " available." : "No suggestions.";
      }
    }

    function lookup() {
      var query = input.value;
      if (query.trim().length < 2) { close(); return; }
      var mine = ++serial;
      var url = BASE + "api/search?limit=6&typing=1&q=" + encodeURIComponent(query) + (locale ? "&locale=" + encodeURIComponent(locale.value) : "");
      fetch(url, { headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) { if (mine === serial && document.activeElement === input) render(query.trim(), data.results || []); })
        .catch(function () { close(); });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(lookup, 120);
    });
    input.addEventListener("keydown", function (event) {
      var items = options();
      if (event.key === "ArrowDown" && !list.hidden) {
        event.preventDefault();
        highlight(active + 1 >= items.length ? 0 : active + 1);
      } else if (event.key === "ArrowUp" && !list.hidden) {
        event.preventDefault();
        highlight(active <= 0 ? items.length - 1 : active - 1);
      } else if (event.key === "Enter" && !list.hidden && active >= 0 && items[active]) {
        event.preventDefault();
        window.location.href = items[active].querySelector("a").href;
      } else if (event.key === "Escape" && !list.hidden) {
        event.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
    list.addEventListener("mousedown", function (event) { event.preventDefault(); });
  }

  // ---- "Was this helpful?" ----
  function post(form, data) {
    return fetch(form.action, {
      method: "POST",
      credentials: "same-origin",
      headers: { Accept: "application/json" },
      body: data
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    });
  }

  function setupFeedback(section) {
    var vote = section.querySelector("form[data-hc-vote]");
    var comment = section.querySelector("form[data-hc-comment]");
    var status = section.querySelector("[data-hc-feedback-status]");
    vote.addEventListener("submit", function (event) {
      event.preventDefault();
      var data = new FormData(vote);
      var button = event.submitter;
      if (button && button.name) data.append(button.name, button.value);
      post(vote, data).then(function (result) {
        if (!result.ok) { status.textContent = result.body.error || "Sorry, we could not record your answer."; return; }
        vote.hidden = true;
        comment.hidden = false;
        comment.querySelector("[data-hc-thanks]").focus();
      }).catch(function () { status.textContent = "Sorry, we could not record your answer. Please try again."; });
    });
    comment.addEventListener("submit", function (event) {
      event.preventDefault();
      post(comment, new FormData(comment)).then(function (result) {
        comment.hidden = true;
        status.textContent = result.ok ? "Thank you. Your comment helps us improve this article." : (result.body.error || "Sorry, we could not save your comment.");
      }).catch(function () { status.textContent = "Sorry, we could not save your comment. Please try again."; });
    });
  }

  function start() {
    document.querySelectorAll("input[data-hc-typeahead]").forEach(setupTypeahead);
    document.querySelectorAll("[data-hc-feedback]").forEach(setupFeedback);
    loadVisitor().then(applyVisitor);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
