// Live Markdown preview in the article admin: the server renders and sanitizes exactly
// as the site does, so what the editor sees is what visitors will see.
(function () {
  "use strict";
  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function start() {
    var source = document.querySelector("textarea[data-hc-markdown]");
    var preview = document.querySelector("[data-hc-preview]");
    if (!source || !preview) return;
    var timer = null;
    source.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var body = new FormData();
        body.append("markdown", source.value);
        fetch(preview.getAttribute("data-hc-preview-url"), {
          method: "POST",
          credentials: "same-origin",
          headers: { "X-CSRFToken": csrfToken() },
          body: body
        })
          .then(function (response) { return response.json(); })
          .then(function (data) { if (data.html !== undefined) preview.innerHTML = data.html; });
      }, 300);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
