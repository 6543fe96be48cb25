// Email cases on the support site: suggested articles while typing (deflection), the
// articles the visitor read, the chosen files, and one submit per click.
(function () {
  "use strict";

  var SEARCH = "/embedded-connect/api/search";
  var VIEWED_KEY = "cs.viewedArticles";
  var ARTICLE_PATH = /^\/embedded-connect\/[a-z0-9-]+\/[a-z0-9]+(?:-[a-z0-9]+)*\/$/;
  var MAX_MB = 10;
  var MAX_FILES = 5;

  function readViewed() {
    try {
      var list = JSON.parse(window.sessionStorage.getItem(VIEWED_KEY) || "[]");
      return Array.isArray(list) ? list.filter(function (path) { return typeof path === "string"; }) : [];
    } catch (error) { return []; }
  }

  function rememberViewed(path) {
    if (!ARTICLE_PATH.test(path)) return;
    var list = readViewed().filter(function (item) { return item !== path; });
    list.push(path);
    try { window.sessionStorage.setItem(VIEWED_KEY, JSON.stringify(list.slice(-10))); } catch (error) { /* private mode */ }
  }

  function pathOf(url) {
    try { return new URL(url, window.location.href).pathname; } catch (error) { return ""; }
  }

  function setupViewed(form) {
    var field = form.querySelector("input[name=viewed]");
    if (!field) return;
    if (document.referrer && new URL(document.referrer).origin === window.location.origin) rememberViewed(pathOf(document.referrer));
    var fromServer = [];
    try { fromServer = JSON.parse(field.value || "[]"); } catch (error) { fromServer = []; }
    function refresh() {
      var merged = [];
      fromServer.concat(readViewed()).forEach(function (path) { if (merged.indexOf(path) < 0) merged.push(path); });
      field.value = JSON.stringify(merged.slice(-10));
    }
    refresh();
    return refresh;
  }

  function setupDeflection(form, refreshViewed) {
    var subject = form.querySelector("[name=subject]");
    var description = form.querySelector("[name=description]");
    var topic = form.querySelector("[name=topic]");
    var section = form.querySelector("[data-cs-deflection]");
    var list = form.querySelector("[data-cs-suggestions]");
    var status = form.querySelector("[data-cs-suggestion-status]");
    var template = document.getElementById("cs-suggestion-template");
    var deflectForm = document.getElementById("cs-deflect");
    if (!subject || !section || !template || !deflectForm) return;
    var timer = null;
    var serial = 0;
    var shown = [];
    var lastQuery = "";

    function query() {
      var text = (subject.value + " " + (description ? description.value.slice(0, 200) : "")).trim();
      return text.replace(/\s+/g, " ");
    }

    function render(results) {
      list.textContent = "";
      shown = results.map(function (result) { return pathOf(result.url); });
      results.forEach(function (result) {
        var item = template.content.firstElementChild.cloneNode(true);
        var link = item.querySelector("a");
        link.href = result.url;
        link.textContent = result.title;
        var hidden = document.createElement("span");
        hidden.className = "visually-hidden";
        hidden.textContent = " (opens in a new tab)";
        link.appendChild(hidden);
        link.addEventListener("click", function () { rememberViewed(pathOf(result.url)); if (refreshViewed) refreshViewed(); });
        // The server escapes the snippet and adds only <mark> elements.
        item.querySelector(".cs-suggestion__snippet").innerHTML = result.snippet || "";
        var button = item.querySelector("button");
        button.value = pathOf(result.url);
        button.setAttribute("aria-label", "This solved my problem: " + result.title);
        list.appendChild(item);
      });
      section.hidden = results.length === 0;
      status.textContent = results.length ? results.length + (results.length === 1 ? " suggested article." : " suggested articles.") : "";
    }

    function lookup() {
      var text = query();
      if (text.length < 4 || text === lastQuery) { if (text.length < 4) render([]); return; }
      lastQuery = text;
      var mine = ++serial;
      fetch(SEARCH + "?limit=3&q=" + encodeURIComponent(text), { headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) { if (mine === serial) render(data.results || []); })
        .catch(function () { /* suggestions are a help, never a blocker */ });
    }

    function schedule() { clearTimeout(timer); timer = setTimeout(lookup, 350); }
    subject.addEventListener("input", schedule);
    if (description) description.addEventListener("input", schedule);
    if (subject.value) schedule();

    deflectForm.addEventListener("submit", function () {
      deflectForm.querySelector("[name=subject]").value = subject.value;
      deflectForm.querySelector("[name=topic]").value = topic ? topic.value : "";
      deflectForm.querySelector("[name=suggested]").value = JSON.stringify(shown);
    });
  }

  function setupFiles(form) {
    var input = form.querySelector("input[type=file]");
    var list = form.querySelector("[data-cs-file-list]");
    if (!input || !list) return;
    input.addEventListener("change", function () {
      list.textContent = "";
      var files = Array.prototype.slice.call(input.files || []);
      files.forEach(function (file) {
        var item = document.createElement("li");
        var size = file.size >= 1048576 ? (file.size / 1048576).toFixed(1) + " MB" : Math.max(1, Math.round(file.size / 1024)) + " KB";
        item.textContent = file.name + " (" + size + ")";
        if (file.size > MAX_MB * 1048576) { item.className = "cs-files__bad"; item.textContent += ": larger than " + MAX_MB + " MB"; }
        if (file.size === 0) { item.className = "cs-files__bad"; item.textContent += ": empty file"; }
        list.appendChild(item);
      });
      if (files.length > MAX_FILES) {
        var warning = document.createElement("li");
        warning.className = "cs-files__bad";
        warning.textContent = "Choose at most " + MAX_FILES + " files.";
        list.appendChild(warning);
      }
    });
  }

  function setupSubmit(form) {
    var button = form.querySelector("[data-cs-submit]");
    form.addEventListener("submit", function (event) {
      if (form.getAttribute("data-cs-sending")) { event.preventDefault(); return; }
      form.setAttribute("data-cs-sending", "1");
      if (button) {
        button.disabled = true;
        button.textContent = "Sending…";
      }
    });
  }

  function start() {
    if (ARTICLE_PATH.test(window.location.pathname)) rememberViewed(window.location.pathname);
    var caseForm = document.querySelector("form[data-cs-case-form]");
    if (caseForm) {
      var refresh = setupViewed(caseForm);
      setupDeflection(caseForm, refresh);
      setupFiles(caseForm);
      setupSubmit(caseForm);
    }
    var replyForm = document.querySelector("form[data-cs-reply-form]");
    if (replyForm) {
      setupFiles(replyForm);
      setupSubmit(replyForm);
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
