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
  }

  function itemNode(chat, item) {
    if (item.kind === "notice") return el("div", "chat-ws__notice", time(item.at) + " · " + item.text);
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
    $("[data-ws-actions]").hidden = !chat.open;
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
    renderMine();
    markRead(chat);
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
    if (frame.conversation === current) {
      renderLog();
      renderActions();
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
        chatFor(frame.conversation);
        if (frame.conversation.id === current) renderContext(frame.conversation);
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
      case "error": $("[data-ws-error]").textContent = frame.message; break;
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
  $("[data-ws-to-case]").addEventListener("click", function () { send({ type: "to_case", conversation: current }); });
  ["keydown", "pointerdown"].forEach(function (type) {
    document.addEventListener(type, function () { interacted = true; }, { passive: true });
  });
  document.addEventListener("visibilitychange", function () { if (current) markRead(chats[current]); });

  connect();
})();
