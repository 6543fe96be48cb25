// The live chat widget of the support site's Contact support panel.
// Protocol: docs/chat-protocol.md. Pages are cached and shared, so who is looking comes
// from chat/state; the conversation itself comes over the WebSocket.
(function () {
  "use strict";

  var root = document.querySelector("[data-chat-widget]");
  if (!root) return;

  var STORE = window.sessionStorage;
  var CONTEXT_KEY = "cs.chat.context";
  var VIEWED_KEY = "cs.chat.viewed";
  var OUTBOX_KEY = "cs.chat.outbox";
  var state = null;
  var socket = null;
  var conversation = null;       // id of the conversation this page follows
  var lastSeq = 0;               // last item number shown
  var heartbeat = 25;
  var pingTimer = null;
  var pongTimer = null;
  var retries = 0;
  var reconnectTimer = null;
  var wantSocket = false;
  var ended = false;
  var interacted = false;
  var typingSent = false;
  var typingTimer = null;
  var readSent = 0;
  var pendingFiles = [];
  var startFrame = null;

  function $(selector) { return root.querySelector(selector); }
  function $all(selector) { return Array.prototype.slice.call(root.querySelectorAll(selector)); }
  function read(key, fallback) {
    try { var raw = STORE.getItem(key); return raw ? JSON.parse(raw) : fallback; } catch (e) { return fallback; }
  }
  function write(key, value) { try { STORE.setItem(key, JSON.stringify(value)); } catch (e) { /* private mode */ } }
  function newId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  // ---- where the visitor came from: kept for the whole visit, sent with the first message ----
  function rememberContext() {
    var params = new URLSearchParams(window.location.search);
    var context = read(CONTEXT_KEY, {});
    ["source", "requirement", "intervention"].forEach(function (name) {
      if (params.get(name)) context[name] = params.get(name).slice(0, 200);
    });
    write(CONTEXT_KEY, context);
    var parts = window.location.pathname.split("/").filter(Boolean);
    if (parts.length === 3 && parts[0] === "embedded-connect") {
      var viewed = read(VIEWED_KEY, []).filter(function (path) { return path !== window.location.pathname; });
      viewed.unshift(window.location.pathname);
      write(VIEWED_KEY, viewed.slice(0, 10));
    }
  }

  // ---- views ----
  function show(name) {
    $all("[data-chat-view]").forEach(function (view) { view.hidden = view.getAttribute("data-chat-view") !== name; });
  }

  function setText(selector, text) { $all(selector).forEach(function (node) { node.textContent = text; }); }

  function renderState() {
    var signIn = $("[data-chat-sign-in]");
    if (signIn) signIn.href = state.sign_in_url;
    if (!state.signed_in) { show("signed-out"); return; }
    if (!state.eligible) {
      setText("[data-chat-platform-name]", state.platform.name);
      var url = $("[data-chat-platform-url]");
      if (state.platform.support_url) { url.href = state.platform.support_url; } else { url.hidden = true; }
      var mail = $("[data-chat-platform-email]");
      if (state.platform.support_email) { mail.href = "mailto:" + state.platform.support_email; mail.hidden = false; }
      show("ineligible");
      return;
    }
    fillTopics();
    if (state.conversation) {
      conversation = state.conversation.id;
      openRoom();
      return;
    }
    renderOffer(state.availability);
  }

  function renderOffer(availability) {
    $("[data-chat-availability]").textContent = availability.message;
    $("[data-chat-open]").hidden = !availability.available;
    var hours = $("[data-chat-hours]");
    hours.hidden = !availability.hours || availability.available;
    hours.textContent = availability.hours ? "Chat hours: " + availability.hours + "." : "";
    show("offer");
  }

  function fillTopics() {
    var select = $("[data-chat-topics]");
    if (select.options.length > 1 || !state.topics) return;
    var params = new URLSearchParams(window.location.search);
    var parts = window.location.pathname.split("/").filter(Boolean);
    var current = params.get("topic") || (parts[0] === "embedded-connect" ? parts[1] : "");
    state.topics.forEach(function (topic) {
      var option = document.createElement("option");
      option.value = topic.slug;
      option.textContent = topic.title;
      if (topic.slug === current) option.selected = true;
      select.appendChild(option);
    });
  }

  // ---- the conversation log ----
  function formatTime(iso) {
    var date = new Date(iso);
    return isNaN(date) ? "" : date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  function fileLink(file) {
    var link = document.createElement("a");
    link.href = "/embedded-connect/chat/" + conversation + "/files/" + encodeURIComponent(file.id) + "/";
    link.textContent = file.filename;
    link.setAttribute("download", "");
    return link;
  }

  function renderItem(item) {
    var log = $("[data-chat-log]");
    var entry = document.createElement("div");
    entry.setAttribute("data-seq", String(item.seq));
    if (item.kind === "notice") {
      entry.className = "cs-chat__notice";
      entry.textContent = item.text;
      if (item.code === "case_created" && item.data && item.data.url) {
        entry.appendChild(document.createTextNode(" "));
        var link = document.createElement("a");
        link.href = item.data.url;
        link.textContent = "Open case #" + item.data.number;
        entry.appendChild(link);
      }
    } else {
      var mine = item.author.kind === "customer";
      entry.className = "cs-chat__message " + (mine ? "cs-chat__message--mine" : "cs-chat__message--theirs");
      var meta = document.createElement("span");
      meta.className = "cs-chat__meta";
      meta.textContent = (mine ? "You" : item.author.name || "Agent") + " · " + formatTime(item.at);
      var body = document.createElement("span");
      body.className = "cs-chat__text";
      body.textContent = item.text;  // text, never HTML
      entry.appendChild(meta);
      entry.appendChild(body);
      (item.data && item.data.attachments || []).forEach(function (file) {
        var holder = document.createElement("span");
        holder.className = "cs-chat__file";
        holder.appendChild(fileLink(file));
        entry.appendChild(holder);
      });
    }
    var pending = item.client_id ? log.querySelector('[data-client-id="' + item.client_id + '"]') : null;
    if (pending) pending.remove();
    // Stored items keep their order; messages still being sent stay at the end.
    log.insertBefore(entry, log.querySelector(".cs-chat__message--pending"));
    log.scrollTop = log.scrollHeight;
  }

  function renderPending(message) {
    var log = $("[data-chat-log]");
    if (log.querySelector('[data-client-id="' + message.client_id + '"]')) return;
    var entry = document.createElement("div");
    entry.className = "cs-chat__message cs-chat__message--mine cs-chat__message--pending";
    entry.setAttribute("data-client-id", message.client_id);
    var meta = document.createElement("span");
    meta.className = "cs-chat__meta";
    meta.textContent = "You · sending…";
    var body = document.createElement("span");
    body.className = "cs-chat__text";
    body.textContent = message.text;
    entry.appendChild(meta);
    entry.appendChild(body);
    log.appendChild(entry);
    log.scrollTop = log.scrollHeight;
  }

  function onItem(item) {
    if (item.conversation !== conversation || item.seq <= lastSeq) return;
    lastSeq = item.seq;
    renderItem(item);
    forgetSent(item.client_id);
    if (item.kind === "notice") onNotice(item);
    if (item.author.kind === "agent") setTyping(null);
    markRead();
  }

  function onNotice(item) {
    if (item.code === "agent_joined" || item.code === "transferred") {
      setStatus("You're chatting with " + item.data.agent + ".");
      $("[data-chat-case-offer]").hidden = true;
    } else if (item.code === "returned_to_queue") {
      setStatus("Waiting for the next available agent…");
    } else if (item.code === "case_offered") {
      $("[data-chat-case-offer]").hidden = false;
    } else if (item.code === "ended" || item.code === "case_created") {
      endedView();
    }
  }

  function endedView() {
    ended = true;
    setStatus("This chat has ended.");
    $("[data-chat-composer]").hidden = true;
    $("[data-chat-end]").hidden = true;
    $("[data-chat-case-offer]").hidden = true;
    $("[data-chat-new]").hidden = false;
    setTyping(null);
    // The rating prompt (csat/chat_rating.js) listens for this.
    root.dispatchEvent(new CustomEvent("cs-chat-ended", { detail: { conversation: conversation, csrf: state && state.csrf_token } }));
  }

  function setStatus(text) { $("[data-chat-room-status]").textContent = text; }

  function setTyping(frame) {
    $("[data-chat-typing]").textContent = frame && frame.active ? frame.name + " is typing…" : "";
  }

  function describeWait(seconds) {
    var minutes = Math.max(1, Math.round(seconds / 60));
    return minutes === 1 ? "about a minute" : "about " + minutes + " minutes";
  }

  function showConversation(view) {
    var c = view.conversation;
    ended = c.status === "ended";
    if (ended) { endedView(); return; }
    $("[data-chat-composer]").hidden = false;
    $("[data-chat-end]").hidden = false;
    $("[data-chat-new]").hidden = true;
    $("[data-chat-case-offer]").hidden = !(c.case_offered && !c.agent);
    if (c.agent) {
      setStatus("You're chatting with " + c.agent.name + ".");
    } else if (view.queue) {
      setStatus("You're number " + view.queue.position + " in line. Expected wait: " + describeWait(view.queue.estimated_wait) + ".");
    } else {
      setStatus("Waiting for an agent…");
    }
  }

  // ---- messages that were sent but not yet acknowledged survive reloads and reconnects ----
  function outbox() { return read(OUTBOX_KEY, []).filter(function (m) { return m.conversation === conversation; }); }
  function keepSending(message) { var all = read(OUTBOX_KEY, []); all.push(message); write(OUTBOX_KEY, all); }
  function forgetSent(clientId) {
    if (!clientId) return;
    write(OUTBOX_KEY, read(OUTBOX_KEY, []).filter(function (m) { return m.client_id !== clientId; }));
  }
  function flushOutbox() {
    outbox().forEach(function (message) {
      renderPending(message);
      send({ type: "message", client_id: message.client_id, text: message.text, attachments: message.attachments || [] });
    });
  }

  // ---- the socket ----
  function send(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) { socket.send(JSON.stringify(frame)); return true; }
    return false;
  }

  function connect() {
    wantSocket = true;
    clearTimeout(reconnectTimer);
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + window.location.host + root.getAttribute("data-socket-path"));
    socket.addEventListener("message", function (event) {
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      onFrame(frame);
    });
    socket.addEventListener("close", function (event) { onClose(event.code); });
  }

  function schedulePing() {
    clearInterval(pingTimer);
    pingTimer = setInterval(function () {
      if (!send({ type: "ping", active: interacted })) return;
      interacted = false;
      clearTimeout(pongTimer);
      pongTimer = setTimeout(function () { if (socket) socket.close(); }, 10000);
    }, heartbeat * 1000);
  }

  function onFrame(frame) {
    switch (frame.type) {
      case "hello":
        retries = 0;
        heartbeat = frame.heartbeat || 25;
        schedulePing();
        if (startFrame) { send(startFrame); }
        else if (conversation) { send({ type: "resume", conversation: conversation, last_seq: lastSeq }); }
        else if (frame.conversation) { conversation = frame.conversation.id; send({ type: "resume", conversation: conversation, last_seq: 0 }); }
        break;
      case "started":
        conversation = frame.conversation.id;
        var sent = startFrame;
        startFrame = null;
        enterRoom();
        showConversation(frame);
        if (!frame.created && sent && frame.client_id !== sent.client_id) {
          // An open chat already existed (another tab): the question goes in as a message.
          queueMessage(sent.text, []);
        }
        break;
      case "resumed":
        enterRoom();
        showConversation(frame);
        flushOutbox();
        break;
      case "item": onItem(frame); break;
      case "ack": forgetSent(frame.client_id); break;
      case "queue_position":
        if (frame.conversation === conversation && !ended) {
          setStatus("You're number " + frame.position + " in line. Expected wait: " + describeWait(frame.estimated_wait) + ".");
        }
        break;
      case "typing": if (frame.by === "agent") setTyping(frame); break;
      case "read":
        $all(".cs-chat__message--mine").forEach(function (entry) {
          var seq = Number(entry.getAttribute("data-seq"));
          if (seq && seq <= frame.seq) entry.classList.add("cs-chat__message--read");
        });
        break;
      case "transcript":
        setStatus(frame.status === "requested"
          ? "We'll email the transcript to " + frame.email + " when the chat ends."
          : "We're emailing the transcript to " + frame.email + ".");
        break;
      case "pong": clearTimeout(pongTimer); break;
      case "error": onError(frame); break;
    }
  }

  function onError(frame) {
    if (frame.in_reply_to === "start") {
      startFrame = null;
      show("prechat");
      $("[data-chat-prechat-error]").textContent = frame.message;
      if (frame.availability) { wantSocket = false; if (socket) socket.close(); renderOffer(frame.availability); }
      return;
    }
    if (frame.client_id && frame.code !== "rate_limited" && frame.code !== "server_error") forgetSent(frame.client_id);
    if (frame.code === "rate_limited" || frame.code === "server_error") {
      setTimeout(flushOutbox, Math.max(1000, (frame.retry_after || 1) * 1000));
    }
    $("[data-chat-composer-error]").textContent = frame.message;
  }

  function onClose(code) {
    clearInterval(pingTimer);
    clearTimeout(pongTimer);
    socket = null;
    if (!wantSocket) return;
    if (code === 4401) { wantSocket = false; state.signed_in = false; show("signed-out"); return; }
    if (code === 4403) { wantSocket = false; refreshState(); return; }
    if (code === 4404) { conversation = null; lastSeq = 0; wantSocket = false; refreshState(); return; }
    if (code === 4409) { lastSeq = 0; $("[data-chat-log]").textContent = ""; }
    retries += 1;
    var delay = Math.min(30000, 1000 * Math.pow(2, Math.min(retries, 5))) * (0.5 + Math.random() / 2);
    if (code === 4429) delay = Math.max(delay, 15000);
    if (!ended) setStatus("Connection lost. Reconnecting…");
    reconnectTimer = setTimeout(connect, delay);
  }

  // ---- actions ----
  function enterRoom() {
    var room = $("[data-chat-view=room]");
    var wasHidden = room.hidden;
    show("room");
    if (wasHidden) $("#cs-chat-message").focus();
  }

  function openRoom() {
    show("room");
    setStatus("Connecting…");
    connect();
  }

  function queueMessage(text, attachments) {
    var message = { conversation: conversation, client_id: newId(), text: text, attachments: attachments };
    keepSending(message);
    renderPending(message);
    send({ type: "message", client_id: message.client_id, text: text, attachments: attachments });
  }

  function markRead() {
    if (document.hidden || !lastSeq || lastSeq <= readSent) return;
    readSent = lastSeq;
    send({ type: "read", seq: lastSeq });
  }

  function refreshState() {
    var url = root.getAttribute("data-state-url") + "?next=" + encodeURIComponent(window.location.pathname);
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (body) { state = body; renderState(); })
      .catch(function () {
        show("offer");
        $("[data-chat-availability]").textContent = "Chat is not reachable right now. Send us an email and we'll reply.";
      });
  }

  function uploadFile(file) {
    var error = $("[data-chat-composer-error]");
    if (state.max_file_bytes && file.size > state.max_file_bytes) {
      error.textContent = "“" + file.name + "” is too large: files can be at most " + Math.round(state.max_file_bytes / 1048576) + " MB.";
      return;
    }
    var data = new FormData();
    data.append("file", file);
    error.textContent = "Uploading " + file.name + "…";
    fetch("/embedded-connect/chat/" + conversation + "/files", {
      method: "POST", credentials: "same-origin", body: data,
      headers: { "X-CSRFToken": state.csrf_token, Accept: "application/json" }
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }).then(function (result) {
      if (!result.ok) { error.textContent = result.body.error.message; return; }
      error.textContent = "";
      pendingFiles.push(result.body);
      $("[data-chat-pending-files]").textContent = "To send: " + pendingFiles.map(function (f) { return f.filename; }).join(", ");
    }).catch(function () { error.textContent = "The file could not be uploaded. Try again."; });
  }

  function wire() {
    $("[data-chat-open]").addEventListener("click", function () {
      show("prechat");
      $("[data-chat-prechat-title]").focus();
    });
    $("[data-chat-cancel]").addEventListener("click", function () { renderOffer(state.availability); $("[data-chat-open]").focus(); });
    $("[data-chat-prechat]").addEventListener("submit", function (event) {
      event.preventDefault();
      var text = $("#cs-chat-first").value.trim();
      var error = $("[data-chat-prechat-error]");
      if (!text) { error.textContent = "Write your question first."; $("#cs-chat-first").focus(); return; }
      error.textContent = "";
      var context = read(CONTEXT_KEY, {});
      context.viewed = read(VIEWED_KEY, []);
      context.page = window.location.pathname;
      startFrame = { type: "start", client_id: newId(), topic: $("[data-chat-topics]").value, text: text, context: context };
      $("[data-chat-log]").textContent = "";
      lastSeq = 0;
      show("room");
      setStatus("Connecting…");
      if (socket && socket.readyState === WebSocket.OPEN) { send(startFrame); } else { connect(); }
    });
    $("[data-chat-composer]").addEventListener("submit", function (event) {
      event.preventDefault();
      var box = $("#cs-chat-message");
      var text = box.value.trim();
      if (!text && !pendingFiles.length) return;
      queueMessage(text, pendingFiles.map(function (f) { return f.id; }));
      pendingFiles = [];
      $("[data-chat-pending-files]").textContent = "";
      $("[data-chat-composer-error]").textContent = "";
      box.value = "";
      stopTyping();
    });
    $("#cs-chat-message").addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        $("[data-chat-composer]").requestSubmit();
      }
    });
    $("#cs-chat-message").addEventListener("input", function () {
      if (!typingSent) { typingSent = true; send({ type: "typing", active: true }); }
      clearTimeout(typingTimer);
      typingTimer = setTimeout(stopTyping, 4000);
    });
    $("[data-chat-file]").addEventListener("change", function (event) {
      var file = event.target.files[0];
      if (file) uploadFile(file);
      event.target.value = "";
    });
    $("[data-chat-end]").addEventListener("click", function () { send({ type: "end" }); });
    $("[data-chat-transcript]").addEventListener("click", function () { send({ type: "transcript" }); });
    $("[data-chat-to-case]").addEventListener("click", function () { send({ type: "to_case" }); });
    $("[data-chat-new]").addEventListener("click", function () {
      conversation = null; lastSeq = 0; ended = false; readSent = 0;
      root.dispatchEvent(new CustomEvent("cs-chat-restarted"));
      $("[data-chat-log]").textContent = "";
      wantSocket = false;
      if (socket) socket.close();
      refreshState().then(function () { if (state.availability && state.availability.available) { show("prechat"); $("[data-chat-prechat-title]").focus(); } });
    });
    ["keydown", "pointerdown"].forEach(function (type) {
      document.addEventListener(type, function () { interacted = true; }, { passive: true });
    });
    document.addEventListener("visibilitychange", markRead);
  }

  function stopTyping() {
    clearTimeout(typingTimer);
    if (typingSent) { typingSent = false; send({ type: "typing", active: false }); }
  }

  rememberContext();
  wire();
  refreshState();
})();
