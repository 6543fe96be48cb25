// The authentication popup talks to the window that opened it, and to no other:
// every message goes to the exact origin the platform registered, checked by the server.
(function () {
  "use strict";
  var dataElement = document.getElementById("popup-data");
  if (!dataElement) return;
  var data = JSON.parse(dataElement.textContent);
  var opener = window.opener;

  function post(message) {
    if (opener && !opener.closed) opener.postMessage(message, data.origin);
  }

  if (data.message) {
    post(data.message);
    var status = document.getElementById("report-status");
    if (status) {
      status.textContent = opener ? "We've let the page know. This window closes by itself." : "You can close this window now.";
    }
    if (opener) window.setTimeout(function () { window.close(); }, 1500);
  }

  var cancel = document.getElementById("cancel");
  if (cancel) {
    cancel.addEventListener("click", function () {
      post({ type: "connect-support:authentication-cancelled", accountSession: data.accountSession });
      window.close();
    });
  }
  var close = document.getElementById("close-window");
  if (close) close.addEventListener("click", function () { window.close(); });
})();
