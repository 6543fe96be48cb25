// Counts support-site use without slowing the cached pages: after a page loads, one small
// beacon says "an article of topic X was read" or "a search was made". No visitor id is sent.
(function () {
  "use strict";
  var script = document.currentScript || document.querySelector("script[data-beacon-url]");
  var url = script && script.getAttribute("data-beacon-url");
  if (!url || !navigator.sendBeacon) return;
  var path = window.location.pathname;
  var event = null;
  var search = new URLSearchParams(window.location.search);
  if (/^\/embedded-connect\/search\/$/.test(path) && (search.get("q") || "").trim()) {
    event = { kind: "search" };
  } else {
    var article = /^\/embedded-connect\/([a-z]+)\/([a-z0-9-]+)\/$/.exec(path);
    if (article && ["auth", "cases", "chat", "rate", "analytics", "api"].indexOf(article[1]) === -1) {
      event = { kind: "article_view", topic: article[1] };
    }
  }
  if (!event) return;
  // A reload of the same page in the same tab counts once.
  var key = "cs.analytics." + event.kind + ":" + path + window.location.search;
  try {
    if (window.sessionStorage.getItem(key)) return;
    window.sessionStorage.setItem(key, "1");
  } catch (e) { /* private mode: count anyway */ }
  navigator.sendBeacon(url, new Blob([JSON.stringify(event)], { type: "application/json" }));
})();
