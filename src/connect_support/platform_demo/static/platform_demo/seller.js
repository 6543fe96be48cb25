// The demo platform's seller settings page: exactly what a platform writes to embed the
// components (compare docs/embedding.md), plus a few lines that show the callbacks.
const config = JSON.parse(document.getElementById("connect-config").textContent);
const csrfToken = document.querySelector("input[name=csrfmiddlewaretoken]").value;
const status = document.getElementById("component-status");
const count = document.getElementById("notification-count");

const { loadConnectAndInitialize } = await import(config.connectUrl);

async function fetchClientSecret() {
  const response = await fetch(config.accountSessionUrl, { method: "POST", headers: { "X-CSRFToken": csrfToken } });
  const body = await response.json();
  if (!response.ok) throw new Error(body.error || "The platform could not create an account session.");
  return body.client_secret;
}

const instance = loadConnectAndInitialize({
  publishableKey: config.publishableKey,
  fetchClientSecret,
  appearance: config.appearance,
});

function showLoadError({ error, elementTagName }) {
  const line = document.createElement("p");
  line.className = "notice notice--error";
  line.textContent = `${elementTagName}: ${error.message} (${error.type})`;
  status.replaceChildren(line);
}

function banner() {
  const element = instance.create("notification-banner");
  element.setOnLoadError(showLoadError);
  element.setOnNotificationsChange(({ total, actionRequired }) => {
    count.hidden = actionRequired === 0;
    count.textContent = String(actionRequired);
    count.setAttribute("aria-label", `${actionRequired} of ${total} notifications need action`);
  });
  return element;
}

let bannerElement = banner();
document.getElementById("banner-slot").append(bannerElement);

const main = instance.create(config.component === "account_management" ? "account-management" : "account-onboarding");
main.setOnLoadError(showLoadError);
if (config.component === "account_onboarding") {
  main.setOnExit(() => {
    // Onboarding may have changed what the banner has to say: mount a fresh one.
    const fresh = banner();
    bannerElement.replaceWith(fresh);
    bannerElement = fresh;
  });
}
document.getElementById("main-slot").append(main);
