// The rating prompt shown in the chat widget once a chat has ended. The widget announces
// the end with a "cs-chat-ended" event on its root; the rating goes to
// POST /embedded-connect/rate/chat/<conversation> (docs/analytics.md).
(function () {
  "use strict";

  var root = document.querySelector("[data-chat-widget]");
  var form = root && root.querySelector("[data-csat-chat]");
  if (!form) return;
  var conversation = null;
  var csrf = "";
  var error = form.querySelector("[data-csat-chat-error]");
  var status = form.querySelector("[data-csat-chat-status]");

  root.addEventListener("cs-chat-ended", function (event) {
    var detail = event.detail || {};
    if (!detail.conversation) return;
    if (detail.conversation !== conversation) {
      form.reset();
      error.textContent = "";
      status.textContent = "";
    }
    conversation = detail.conversation;
    csrf = detail.csrf || csrf;
    form.hidden = false;
  });
  root.addEventListener("cs-chat-restarted", function () {
    form.hidden = true;
    conversation = null;
  });

  // The token that matches the CSRF cookie now: two first requests of a page can each set
  // the cookie, so a token read earlier may belong to the one that lost.
  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : csrf;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var checked = form.querySelector("input[name=score]:checked");
    error.textContent = "";
    if (!checked) { error.textContent = "Choose a rating from 1 to 5."; return; }
    status.textContent = "Sending…";
    fetch("/embedded-connect/rate/chat/" + encodeURIComponent(conversation), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({ score: Number(checked.value), comment: form.elements.comment.value })
    })
      .then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      })
      .then(function (result) {
        if (result.ok) {
          status.textContent = "Thank you: you rated this chat " + result.body.score + " out of 5. You can change it and send again.";
        } else {
          status.textContent = "";
          error.textContent = (result.body.error && result.body.error.message) || "The rating could not be sent. Try again.";
        }
      })
      .catch(function () {
        status.textContent = "";
        error.textContent = "The rating could not be sent. Check your connection and try again.";
      });
  });
})();
