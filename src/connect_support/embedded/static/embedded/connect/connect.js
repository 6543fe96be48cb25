// connect.js: load the operator's embedded components into any page.
//
//   import { loadConnectAndInitialize } from "https://<operator>/v1/connect.js";
//   const instance = loadConnectAndInitialize({ publishableKey, fetchClientSecret, appearance, locale });
//   document.body.append(instance.create("account-onboarding"));
//
// See docs/embedding.md.

import { Connection } from "./session.js";
import { AccountManagement } from "./management.js";
import { NotificationBanner } from "./banner.js";
import { AccountOnboarding } from "./onboarding.js";

const PREFIX = "stripe";
const ELEMENTS = {
  "account-onboarding": AccountOnboarding,
  "account-management": AccountManagement,
  "notification-banner": NotificationBanner,
};
const OPERATOR_ORIGIN = new URL(import.meta.url).origin;

function defineElements() {
  for (const [name, element] of Object.entries(ELEMENTS)) {
    const tag = `${PREFIX}-connect-${name}`;
    if (!customElements.get(tag)) customElements.define(tag, class extends element {});
  }
}

export function loadConnectAndInitialize(options) {
  const { publishableKey, fetchClientSecret, appearance = {}, locale = "" } = options || {};
  if (typeof fetchClientSecret !== "function") {
    throw new TypeError("loadConnectAndInitialize needs fetchClientSecret: a function that resolves to an account session's client_secret.");
  }
  if (typeof publishableKey !== "string" || !publishableKey.startsWith("pk_")) {
    throw new TypeError("loadConnectAndInitialize needs the platform's publishableKey (pk_…).");
  }
  defineElements();
  const connection = new Connection({ publishableKey, fetchClientSecret, appearance, locale, operatorOrigin: OPERATOR_ORIGIN });
  connection.start();
  return Object.freeze({
    create(name) {
      if (!Object.hasOwn(ELEMENTS, name)) {
        throw new Error(`Unknown component "${name}". Use one of: ${Object.keys(ELEMENTS).join(", ")}.`);
      }
      const element = document.createElement(`${PREFIX}-connect-${name}`);
      element.attachConnection(connection);
      return element;
    },
    update(changes) {
      connection.update(changes || {});
    },
    logout() {
      return connection.logout();
    },
  });
}

// For pages that load the module with a plain <script type="module"> and no import.
globalThis.ConnectSupport = Object.freeze({ loadConnectAndInitialize });
