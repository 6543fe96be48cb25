// The agents' chat workspace (/console/chats/): status and capacity, the queue, several
// chats at once. Protocol: docs/chat-protocol.md (agent side).
(function () {
  "use strict";

  var root = document.querySelector("[data-chat-workspace]");
  if (!root) return;

  var chats = {};          // id → {summary, lastSeq, items, pending, unread, typing, open}
  var order = [];
  var current = null;
  var socket = null;
  var heartbeat = 25;
  var pingTimer = null;
  var pongTimer = null;
  var retries = 0;
  var interacted = false;
  var typingSent = {};
  var typingTimer = null;
  var pendingFiles = [];

  function $(selector) { return root.querySelector(selector); }
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function newId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function send(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) { socket.send(JSON.stringify(frame)); return true; }
    return false;
  }
  function time(iso) {
    var date = new Date(iso);
    return isNaN(date) ? "" : date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }
  function since(iso) {
    var minutes = Math.round((Date.now() - new Date(iso).getTime()) / 60000);
    return minutes < 1 ? "just now" : minutes + " min";
  }
  function setConnection(text) { $("[data-ws-connection]").textContent = text; }

  // ---- chats ----
  function chatFor(summary) {
    var chat = chats[summary.id];
    if (!chat) {
      chat = chats[summary.id] = { summary: summary, lastSeq: 0, items: [], pending: {}, unread: 0, typing: "", open: true };
      order.push(summary.id);
    } else {
      chat.summary = summary;
      chat.open = summary.status !== "ended";
    }
    return chat;
  }

  function subscribe(chat) {
    send({ type: "subscribe", conversation: chat.summary.id, last_seq: chat.lastSeq });
  }

  function renderMine() {
    var list = $("[data-ws-mine]");
    list.textContent = "";
    order.forEach(function (id) {
      var chat = chats[id];
      var item = el("li");
      var button = el("button", "chat-ws__pick" + (id === current ? " chat-ws__pick--current" : ""));
      button.type = "button";
      if (id === current) button.setAttribute("aria-current", "true");
      button.appendChild(el("span", "chat-ws__pick-name", chat.summary.customer.name || chat.summary.customer.business_name));
      var detail = chat.open ? (chat.summary.topic || "chat") : "ended";
      if (chat.open && chat.present === false && chat.seen) detail += " · customer left";
      if (chat.summary.case) detail += " · case #" + chat.summary.case.number;
      button.appendChild(el("span", "chat-ws__pick-detail", detail));
      if (chat.unread) {
        var badge = el("span", "badge", String(chat.unread));
        badge.setAttribute("aria-label", chat.unread + " unread");
        button.appendChild(badge);
      }
      button.addEventListener("click", function () { openChat(id); });
      item.appendChild(button);
      list.appendChild(item);
    });
    $("[data-ws-mine-empty]").hidden = order.length > 0;
  }

  function renderQueue(frame) {
    var list = $("[data-ws-queue]");
    list.textContent = "";
    $("[data-ws-queue-count]").textContent = String(frame.total);
    frame.waiting.forEach(function (summary) {
      var item = el("li", "chat-ws__queued");
      item.appendChild(el("strong", null, summary.customer.name || summary.customer.business_name));
      item.appendChild(el("span", "chat-ws__pick-detail", " · " + (summary.topic || "chat") + " · waiting " + since(summary.queued_at)));
      item.appendChild(el("p", "chat-ws__first", summary.first_message));
      var accept = el("button", "button button--small", "Accept");
      accept.type = "button";
      accept.setAttribute("aria-label", "Accept the chat with " + (summary.customer.name || summary.customer.business_name));
      accept.addEventListener("click", function () { send({ type: "accept", conversation: summary.id }); });
      item.appendChild(accept);
      list.appendChild(item);
    });
    $("[data-ws-queue-empty]").hidden = frame.waiting.length > 0;
  }

  function contextRow(list, term, value) {
    if (!value) return;
    list.appendChild(el("dt", null, term));
    var dd = el("dd");
    if (value.nodeType) dd.appendChild(value); else dd.textContent = value;
    list.appendChild(dd);
  }

  function renderContext(summary) {
    var list = $("[data-ws-context]");
    list.textContent = "";
    var customer = summary.customer;
    contextRow(list, "Customer", customer.name + (customer.email ? " <" + customer.email + ">" : ""));
    contextRow(list, "Account", customer.business_name + " (" + customer.account + ")");
    contextRow(list, "Platform", customer.platform);
    var context = summary.context || {};
    contextRow(list, "Came from", context.task ? context.task + (context.source ? " (" + context.source + ")" : "") : context.source);
    contextRow(list, "Requirement", context.requirement);
    contextRow(list, "Intervention", context.intervention);
    if (context.viewed_articles && context.viewed_articles.length) {
      var read = el("ul", "chat-ws__inline-list");
      context.viewed_articles.forEach(function (article) {
        var li = el("li");
        var link = el("a", null, article.title);
        link.href = article.url;
        link.target = "_blank";
        link.rel = "noopener";
        li.appendChild(link);
        read.appendChild(li);
      });
      contextRow(list, "Articles read", read);
    }
    var due = (summary.requirements.past_due || []).concat(summary.requirements.currently_due || []);
    contextRow(list, "Open requirements", due.length ? due.join(", ") : "none");
    if (summary.case) {
      var links = el("span");
      var caseLink = el("a", null, "#" + summary.case.number);
      caseLink.href = "/console/cases/" + encodeURIComponent(summary.case.number) + "/";
      caseLink.setAttribute("aria-label", "Email case #" + summary.case.number);
      var transcriptLink = el("a", null, "transcript");
      transcriptLink.href = "/console/chats/" + encodeURIComponent(summary.id) + "/";
      transcriptLink.setAttribute("aria-label", "Transcript of this chat");
      links.appendChild(caseLink);
      links.appendChild(document.createTextNode(" · "));
      links.appendChild(transcriptLink);
      contextRow(list, "Email case", links);
    }
  }

  // ---- the customer's presence ----
  function presenceText(chat) {
    var name = chat.summary.customer.name || "The customer";
    if (!chat.open || chat.present === undefined) return "";
    if (chat.present) return name + " is in the chat.";
    return chat.seen ? name + " left the chat at " + chat.presentAt + "." : name + " is not connected right now.";
  }

  function renderPresence() {
    var chat = chats[current];
    var line = $("[data-ws-presence]");
    line.textContent = chat ? presenceText(chat) : "";
    line.classList.toggle("chat-ws__presence--left", !!chat && chat.present === false && !!chat.seen);
  }

  // "Left" is said once the customer was seen in the chat; "back" only after a "left".
  function setPresence(chat, present) {
    if (chat.present === present) return;
    var was = chat.present;
    var name = chat.summary.customer.name || "The customer";
    var at = new Date().toISOString();
    chat.present = present;
    chat.presentAt = time(at);
    if (present) {
      chat.seen = true;
      if (chat.saidLeft && chat.open) chat.items.push({ kind: "presence", text: name + " is back.", at: at });
      chat.saidLeft = false;
    } else if (was === true && chat.open) {
      chat.items.push({ kind: "presence", text: name + " left the chat.", at: at });
      chat.saidLeft = true;
    }
    if (chat.summary.id === current) { renderLog(); renderPresence(); }
    renderMine();
  }

  // ---- the account beside the chat ----
  function loadAccount(id) {
    var panel = $("[data-ws-account-panel]");
    var body = $("[data-ws-account]");
    panel.hidden = false;
    panel.setAttribute("aria-busy", "true");
    body.textContent = "Loading…";
    fetch("/console/chats/" + encodeURIComponent(id) + "/account", { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.text();
      })
      .then(function (html) {
        if (current !== id) return;
        // Rendered by the console's own template (every value escaped there).
        body.innerHTML = html;
        panel.setAttribute("aria-busy", "false");
      })
      .catch(function () {
        if (current !== id) return;
        body.textContent = "The account could not be loaded. Open the chat again to retry.";
        panel.setAttribute("aria-busy", "false");
      });
  }

  function itemNode(chat, item) {
    if (item.kind === "notice") return el("div", "chat-ws__notice", time(item.at) + " · " + item.text);
    if (item.kind === "presence") return el("div", "chat-ws__notice chat-ws__notice--presence", time(item.at) + " · " + item.text);
    var mine = item.author.kind === "agent";
    var node = el("div", "chat-ws__message " + (mine ? "chat-ws__message--mine" : "chat-ws__message--theirs"));
    node.setAttribute("data-seq", String(item.seq));
    node.appendChild(el("span", "chat-ws__meta", (item.author.name || (mine ? "Agent" : "Customer")) + " · " + time(item.at)));
    node.appendChild(el("span", "chat-ws__text", item.text));
    ((item.data && item.data.attachments) || []).forEach(function (file) {
      var link = el("a", "chat-ws__file", file.filename);
      link.href = "/console/chats/" + chat.summary.id + "/files/" + encodeURIComponent(file.id) + "/";
      node.appendChild(link);
    });
    if (mine && chat.summary.read && item.seq <= chat.summary.read.customer) node.classList.add("chat-ws__message--read");
    return node;
  }

  function pendingNode(message) {
    var node = el("div", "chat-ws__message chat-ws__message--mine chat-ws__message--pending");
    node.setAttribute("data-client-id", message.client_id);
    node.appendChild(el("span", "chat-ws__meta", "You · sending…"));
    node.appendChild(el("span", "chat-ws__text", message.text));
    return node;
  }

  function renderLog() {
    var chat = chats[current];
    var log = $("[data-ws-log]");
    log.textContent = "";
    chat.items.forEach(function (item) { log.appendChild(itemNode(chat, item)); });
    Object.keys(chat.pending).forEach(function (id) { log.appendChild(pendingNode(chat.pending[id])); });
    log.scrollTop = log.scrollHeight;
    $("[data-ws-typing]").textContent = chat.typing;
  }

  function renderActions() {
    var chat = chats[current];
    $("[data-ws-composer]").hidden = !chat.open;
    // An ended chat without a case can still become one (a follow-up by email).
    $("[data-ws-actions]").hidden = !(chat.open || !chat.summary.case);
    Array.prototype.forEach.call(root.querySelectorAll("[data-ws-open-only]"), function (node) { node.hidden = !chat.open; });
    $("[data-ws-to-case]").disabled = !!chat.converting && !chat.summary.case;
  }

  function openChat(id) {
    current = id;
    var chat = chats[id];
    chat.unread = 0;
    $("[data-ws-chat]").hidden = false;
    $("[data-ws-placeholder]").hidden = true;
    $("[data-ws-title]").textContent = "Chat with " + (chat.summary.customer.name || chat.summary.customer.business_name);
    renderContext(chat.summary);
    renderLog();
    renderActions();
    renderPresence();
    renderMine();
    markRead(chat);
    closeMacros(false);
    loadAccount(id);
    send({ type: "agents" });
    $("[data-ws-title]").focus();
  }

  function markRead(chat) {
    if (chat.summary.id !== current || document.hidden || !chat.lastSeq) return;
    if (chat.readSent >= chat.lastSeq) return;
    chat.readSent = chat.lastSeq;
    send({ type: "read", conversation: chat.summary.id, seq: chat.lastSeq });
  }

  function onItem(frame) {
    var chat = chats[frame.conversation];
    if (!chat || frame.seq <= chat.lastSeq) return;
    chat.lastSeq = frame.seq;
    chat.items.push(frame);
    if (frame.client_id && chat.pending[frame.client_id]) delete chat.pending[frame.client_id];
    if (frame.author.kind === "customer") chat.typing = "";
    if (frame.code === "ended" || frame.code === "case_created") chat.open = false;
    if (frame.code === "case_created" && frame.data) chat.summary.case = { id: frame.data.case, number: frame.data.number };
    if (frame.conversation === current) {
      renderLog();
      renderActions();
      renderPresence();
      if (frame.code === "case_created") { renderContext(chat.summary); renderMine(); }
      markRead(chat);
    } else if (frame.kind === "message" && frame.author.kind === "customer") {
      chat.unread += 1;
      renderMine();
    } else {
      renderMine();
    }
  }

  // ---- socket ----
  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + window.location.host + root.getAttribute("data-socket-path"));
    socket.addEventListener("message", function (event) {
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      onFrame(frame);
    });
    socket.addEventListener("close", function (event) { onClose(event.code); });
  }

  function onClose(code) {
    clearInterval(pingTimer);
    clearTimeout(pongTimer);
    socket = null;
    if (code === 4401) { setConnection("You were signed out. Sign in again to keep chatting."); return; }
    if (code === 4403) { setConnection("Your role does not include chats."); return; }
    retries += 1;
    var delay = Math.min(30000, 1000 * Math.pow(2, Math.min(retries, 5))) * (0.5 + Math.random() / 2);
    setConnection("Connection lost. Reconnecting…");
    setTimeout(connect, delay);
  }

  function onFrame(frame) {
    switch (frame.type) {
      case "hello":
        retries = 0;
        heartbeat = frame.heartbeat || 25;
        setConnection("Connected");
        showStatus(frame.agent);
        frame.conversations.forEach(function (summary) { chatFor(summary); });
        order.forEach(function (id) { if (chats[id].open) subscribe(chats[id]); });
        order.forEach(function (id) {
          var chat = chats[id];
          Object.keys(chat.pending).forEach(function (clientId) {
            var m = chat.pending[clientId];
            send({ type: "message", conversation: id, client_id: clientId, text: m.text, attachments: m.attachments });
          });
        });
        renderQueue(frame.queue);
        renderMine();
        clearInterval(pingTimer);
        pingTimer = setInterval(function () {
          if (!send({ type: "ping", active: interacted })) return;
          interacted = false;
          clearTimeout(pongTimer);
          pongTimer = setTimeout(function () { if (socket) socket.close(); }, 10000);
        }, heartbeat * 1000);
        break;
      case "pong": clearTimeout(pongTimer); break;
      case "status": showStatus(frame); break;
      case "queue": renderQueue(frame); break;
      case "assigned":
        var chat = chatFor(frame.conversation);
        chat.open = true;
        subscribe(chat);
        renderMine();
        if (!current) openChat(frame.conversation.id);
        break;
      case "subscribed":
        var followed = chatFor(frame.conversation);
        setPresence(followed, !!frame.conversation.customer_present);
        if (frame.conversation.id === current) { renderContext(frame.conversation); renderPresence(); }
        break;
      case "presence":
        if (chats[frame.conversation]) setPresence(chats[frame.conversation], frame.customer === "here");
        break;
      case "unassigned":
        if (chats[frame.conversation]) {
          chats[frame.conversation].open = false;
          if (frame.conversation === current) renderActions();
          renderMine();
        }
        break;
      case "item": onItem(frame); break;
      case "ack":
        var acked = chats[frame.conversation];
        if (acked && acked.pending[frame.client_id]) acked.pending[frame.client_id].acked = true;
        break;
      case "typing":
        if (chats[frame.conversation] && frame.by === "customer") {
          chats[frame.conversation].typing = frame.active ? frame.name + " is typing…" : "";
          if (frame.conversation === current) $("[data-ws-typing]").textContent = chats[frame.conversation].typing;
        }
        break;
      case "read":
        if (chats[frame.conversation] && frame.by === "customer") {
          chats[frame.conversation].summary.read = { customer: frame.seq };
          if (frame.conversation === current) renderLog();
        }
        break;
      case "agents": renderAgents(frame.agents); break;
      case "error":
        $("[data-ws-error]").textContent = frame.message;
        if (frame.in_reply_to === "to_case" && chats[frame.conversation]) {
          chats[frame.conversation].converting = false;
          if (frame.conversation === current) $("[data-ws-to-case]").disabled = false;
        }
        break;
    }
  }

  function showStatus(status) {
    $("[data-ws-status]").value = status.status;
    $("[data-ws-capacity]").value = status.capacity;
    $("[data-ws-load]").textContent = "You are " + status.status + " with " + status.load + " of " + status.capacity + " chats.";
  }

  function renderAgents(agents) {
    var select = $("[data-ws-transfer-target]");
    while (select.options.length > 1) select.remove(1);
    agents.forEach(function (agent) {
      var option = el("option", null, agent.name + " (" + agent.load + "/" + agent.capacity + ")");
      option.value = String(agent.id);
      select.appendChild(option);
    });
  }

  function uploadFile(file) {
    var error = $("[data-ws-error]");
    var data = new FormData();
    data.append("file", file);
    error.textContent = "Uploading " + file.name + "…";
    fetch("/console/chats/" + current + "/files", {
      method: "POST", credentials: "same-origin", body: data,
      headers: { "X-CSRFToken": root.getAttribute("data-csrf"), Accept: "application/json" }
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }).then(function (result) {
      if (!result.ok) { error.textContent = result.body.error.message; return; }
      error.textContent = "";
      pendingFiles.push(result.body);
      $("[data-ws-pending-files]").textContent = "To send: " + pendingFiles.map(function (f) { return f.filename; }).join(", ");
    }).catch(function () { error.textContent = "The file could not be uploaded. Try again."; });
  }

  // ---- macros: filled in on the server for this chat, inserted into the reply, never sent from here ----
  var macroMatches = [];
  var macroActive = -1;
  var macroLoad = 0;

  function macroFilterMatches(macros, words) {
    var wanted = words.toLowerCase().trim();
    return macros.filter(function (macro) {
      return !wanted || (macro.title + " " + macro.preview).toLowerCase().indexOf(wanted) !== -1;
    });
  }

  function renderMacros(all) {
    var list = $("[data-ws-macro-list]");
    var filter = $("[data-ws-macro-filter]");
    list.textContent = "";
    macroMatches = macroFilterMatches(all, filter.value);
    if (macroActive >= macroMatches.length) macroActive = macroMatches.length - 1;
    if (macroActive < 0 && macroMatches.length) macroActive = 0;
    macroMatches.forEach(function (macro, index) {
      var option = el("li", "chat-ws__macro" + (index === macroActive ? " chat-ws__macro--active" : ""));
      option.id = "ws-macro-" + index;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", index === macroActive ? "true" : "false");
      option.appendChild(el("span", "chat-ws__macro-title", macro.title + (macro.shared ? "" : " (personal)")));
      option.appendChild(el("span", "chat-ws__macro-preview", macro.preview));
      option.addEventListener("mousedown", function (event) { event.preventDefault(); });
      option.addEventListener("click", function () { insertMacro(macro); });
      list.appendChild(option);
    });
    if (macroActive >= 0) {
      filter.setAttribute("aria-activedescendant", "ws-macro-" + macroActive);
      var active = document.getElementById("ws-macro-" + macroActive);
      if (active && active.scrollIntoView) active.scrollIntoView({ block: "nearest" });
    } else {
      filter.removeAttribute("aria-activedescendant");
    }
    $("[data-ws-macro-empty]").textContent = all.length ? "No macro matches." : "No macro yet.";
    $("[data-ws-macro-empty]").hidden = macroMatches.length > 0;
  }

  var loadedMacros = [];
  function openMacros() {
    if (!current || !chats[current].open) return;
    var box = $("[data-ws-macros]");
    var filter = $("[data-ws-macro-filter]");
    box.hidden = false;
    $("[data-ws-macro-open]").setAttribute("aria-expanded", "true");
    filter.value = "";
    macroActive = 0;
    filter.focus();
    var load = ++macroLoad;
    $("[data-ws-macro-empty]").hidden = true;
    fetch("/console/chats/" + encodeURIComponent(current) + "/macros", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { if (!response.ok) throw new Error(String(response.status)); return response.json(); })
      .then(function (body) {
        if (load !== macroLoad) return;
        loadedMacros = body.macros;
        renderMacros(loadedMacros);
      })
      .catch(function () { $("[data-ws-error]").textContent = "The macros could not be loaded. Try again."; });
  }

  function closeMacros(focusReply) {
    macroLoad += 1;
    $("[data-ws-macros]").hidden = true;
    $("[data-ws-macro-open]").setAttribute("aria-expanded", "false");
    if (focusReply) $("#ws-message").focus();
  }

  function insertMacro(macro) {
    var chatId = current;
    var error = $("[data-ws-error]");
    fetch("/console/chats/" + encodeURIComponent(chatId) + "/macros/" + encodeURIComponent(macro.id), {
      method: "POST", credentials: "same-origin",
      headers: { "X-CSRFToken": root.getAttribute("data-csrf"), Accept: "application/json" }
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }).then(function (result) {
      if (!result.ok) { error.textContent = result.body.error.message; return; }
      if (current !== chatId) return;
      var box = $("#ws-message");
      var start = box.selectionStart || 0;
      var end = box.selectionEnd || start;
      box.value = box.value.slice(0, start) + result.body.text + box.value.slice(end);
      closeMacros(true);
      box.selectionStart = box.selectionEnd = start + result.body.text.length;
      box.dispatchEvent(new Event("input"));
      var unfilled = result.body.missing.concat(result.body.unknown);
      error.textContent = unfilled.length ? "Fill in by hand before sending: " + unfilled.map(function (name) { return "{{ " + name + " }}"; }).join(", ") : "";
    }).catch(function () { error.textContent = "The macro could not be inserted. Try again."; });
  }

  $("[data-ws-macro-open]").addEventListener("click", function () {
    if ($("[data-ws-macros]").hidden) openMacros(); else closeMacros(true);
  });
  $("[data-ws-macro-filter]").addEventListener("input", function () { macroActive = 0; renderMacros(loadedMacros); });
  $("[data-ws-macro-filter]").addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (!macroMatches.length) return;
      var step = event.key === "ArrowDown" ? 1 : -1;
      macroActive = (macroActive + step + macroMatches.length) % macroMatches.length;
      renderMacros(loadedMacros);
    } else if (event.key === "Enter") {
      event.preventDefault();
      if (macroMatches[macroActive]) insertMacro(macroMatches[macroActive]);
    } else if (event.key === "Escape") {
      event.preventDefault();
      closeMacros(true);
    }
  });

  function stopTyping() {
    clearTimeout(typingTimer);
    if (current && typingSent[current]) { typingSent[current] = false; send({ type: "typing", conversation: current, active: false }); }
  }

  // ---- controls ----
  $("[data-ws-status-form]").addEventListener("submit", function (event) {
    event.preventDefault();
    send({ type: "status", status: $("[data-ws-status]").value, capacity: Number($("[data-ws-capacity]").value) });
  });
  $("[data-ws-composer]").addEventListener("submit", function (event) {
    event.preventDefault();
    var box = $("#ws-message");
    var text = box.value.trim();
    if (!current || (!text && !pendingFiles.length)) return;
    var message = { client_id: newId(), text: text, attachments: pendingFiles.map(function (f) { return f.id; }) };
    chats[current].pending[message.client_id] = message;
    send({ type: "message", conversation: current, client_id: message.client_id, text: text, attachments: message.attachments });
    pendingFiles = [];
    $("[data-ws-pending-files]").textContent = "";
    $("[data-ws-error]").textContent = "";
    box.value = "";
    stopTyping();
    renderLog();
  });
  $("#ws-message").addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); $("[data-ws-composer]").requestSubmit(); }
    if (event.key === "/" && !event.target.value) { event.preventDefault(); openMacros(); }
  });
  $("#ws-message").addEventListener("input", function () {
    if (!current) return;
    if (!typingSent[current]) { typingSent[current] = true; send({ type: "typing", conversation: current, active: true }); }
    clearTimeout(typingTimer);
    typingTimer = setTimeout(stopTyping, 4000);
  });
  $("[data-ws-file]").addEventListener("change", function (event) {
    if (event.target.files[0] && current) uploadFile(event.target.files[0]);
    event.target.value = "";
  });
  $("[data-ws-transfer]").addEventListener("click", function () {
    var target = $("[data-ws-transfer-target]").value;
    send({ type: "transfer", conversation: current, to: target === "queue" ? null : Number(target) });
  });
  $("[data-ws-end]").addEventListener("click", function () { send({ type: "end", conversation: current }); });
  $("[data-ws-to-case]").addEventListener("click", function () {
    // One case per chat (the server makes sure too): the button waits for the answer.
    if (!current || chats[current].converting) return;
    if (send({ type: "to_case", conversation: current })) {
      chats[current].converting = true;
      $("[data-ws-to-case]").disabled = true;
    }
  });
  ["keydown", "pointerdown"].forEach(function (type) {
    document.addEventListener(type, function () { interacted = true; }, { passive: true });
  });
  document.addEventListener("visibilitychange", function () { if (current) markRead(chats[current]); });

  connect();
})();
