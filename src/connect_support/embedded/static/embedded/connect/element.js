// The base of every component element: shadow root, styles, the setters common to all
// components, loading and failure states, and the authentication step.

import { overlayKind } from "./appearance.js";
import { CSS } from "./styles.js";
import { alertBox, h, icon, loading, supportLink } from "./ui.js";

let sharedSheet = null;
function baseSheet() {
  if (!sharedSheet) {
    sharedSheet = new CSSStyleSheet();
    sharedSheet.replaceSync(CSS);
  }
  return sharedSheet;
}

export class ConnectElement extends HTMLElement {
  constructor() {
    super();
    this.root = this.attachShadow({ mode: "open" });
    this.handlers = {};
    this.connection = null;
    this.started = false;
    this.overlays = new Set();
    this.collectionOptions = { fields: "currently_due", futureRequirements: "omit" };
  }

  /** The component's name in account sessions, e.g. ``account_onboarding``. */
  get componentName() {
    return "";
  }

  get loadingLabel() {
    return "Loading…";
  }

  attachConnection(connection) {
    this.connection = connection;
    connection.register(this);
    this.root.adoptedStyleSheets = [baseSheet(), connection.sheet];
    if (this.isConnected && !this.started) this.start();
  }

  connectedCallback() {
    if (this.connection && !this.started) this.start();
  }

  disconnectedCallback() {
    for (const overlay of [...this.overlays]) overlay.close("removed");
  }

  // --- setters of every component -------------------------------------------------------------

  setOnLoadError(listener) {
    this.handlers.loadError = typeof listener === "function" ? listener : null;
  }

  setOnLoaderStart(listener) {
    this.handlers.loaderStart = typeof listener === "function" ? listener : null;
  }

  setCollectionOptions(options) {
    const fields = options && options.fields === "eventually_due" ? "eventually_due" : "currently_due";
    const futureRequirements = options && options.futureRequirements === "include" ? "include" : "omit";
    this.collectionOptions = { fields, futureRequirements };
    if (this.view) this.reload();
  }

  call(name, payload) {
    const listener = this.handlers[name];
    if (!listener) return;
    try {
      listener(payload);
    } catch (error) {
      // A platform's listener that throws must not break the component.
      console.error(error);
    }
  }

  reportLoadError(error) {
    this.call("loadError", { error: { type: error.type, message: error.message }, elementTagName: this.localName });
  }

  // --- life cycle ---------------------------------------------------------------------------------

  start() {
    this.started = true;
    this.root.replaceChildren(loading(this.loadingLabel));
    queueMicrotask(() => this.call("loaderStart", { elementTagName: this.localName }));
    this.connection.ready.then(() => this.reload()).catch((error) => this.showFailure(error, { reported: true }));
  }

  get query() {
    return { fields: this.collectionOptions.fields, future_requirements: this.collectionOptions.futureRequirements };
  }

  async reload() {
    if (!this.connection || this.connection.ended) return;
    const component = this.connection.component(this.componentName);
    if (!component.enabled) {
      const error = {
        type: "invalid_request_error",
        message: `The account session does not enable ${this.componentName}. Create it with components[${this.componentName}][enabled]=true.`,
      };
      this.reportLoadError(error);
      this.showFailure(error, { reported: true, retry: false });
      return;
    }
    try {
      this.view = await this.connection.request("GET", `components/${this.componentName}`, { query: this.query });
    } catch (error) {
      this.reportLoadError(error);
      this.showFailure(error, { reported: true });
      return;
    }
    this.renderSafely();
  }

  renderSafely() {
    try {
      this.render();
    } catch (problem) {
      console.error(problem);
      const error = { type: "render_error", message: "This component could not be displayed." };
      this.reportLoadError(error);
      this.showFailure(error, { reported: true });
    }
  }

  render() {}

  showFailure(error, { retry = true } = {}) {
    const terminal = error.code === "origin_not_allowed" || error.code === "publishable_key_mismatch";
    const message = error.type === "api_connection_error" ? "We couldn't reach the server. Check your connection and try again." : error.message;
    const card = h(
      "div",
      { class: "card", dataset: { state: "failed" } },
      alertBox("error", h("p", {}, h("strong", {}, "This section couldn't load.")), h("p", {}, message)),
      retry && !terminal ? h("button", { class: "button button--secondary", type: "button", onclick: () => this.retryAfterFailure() }, "Try again") : null,
    );
    this.root.replaceChildren(card);
  }

  retryAfterFailure() {
    this.root.replaceChildren(loading(this.loadingLabel));
    const ready = this.connection.description ? Promise.resolve() : this.connection.refresh();
    ready.then(() => this.reload()).catch((error) => this.showFailure(error));
  }

  appearanceChanged() {
    for (const overlay of this.overlays) overlay.dialog.dataset.overlay = this.overlayKind;
    if (this.view) this.renderSafely();
  }

  sessionRefreshing() {}

  loggedOut() {
    for (const overlay of [...this.overlays]) overlay.close("logged_out");
    this.view = null;
    this.root.replaceChildren();
  }

  get overlayKind() {
    return overlayKind(this.connection.appearance);
  }

  support(context) {
    return supportLink(this.connection, context);
  }

  // --- the authentication step ------------------------------------------------------------------

  /**
   * Fills ``container`` with the "Verify it's you" step. Resolves true once the server
   * confirms a recent authentication, false if the user closes the popup.
   */
  authenticationStep(container, { reason = "" } = {}) {
    return new Promise((resolve) => {
      const status = h("div", { role: "status", "aria-live": "polite" });
      const button = h("button", { class: "button", type: "button" }, "Verify it's you");
      const platform = this.connection.description.platform.name;
      container.replaceChildren(
        h(
          "div",
          { class: "auth-step", dataset: { step: "stripe_user_authentication" } },
          h("div", { class: "auth-step__icon" }, icon("shield")),
          h("h3", { class: "card__title" }, "Confirm with a code sent to your phone"),
          h("p", {}, reason || `To protect your account on ${platform}, we'll text a code to the mobile number on file. A secure window opens to enter it.`),
          button,
          status,
        ),
      );
      button.addEventListener("click", async () => {
        button.disabled = true;
        status.replaceChildren(h("p", { class: "small muted" }, "Waiting for you to finish in the verification window…"));
        const result = await this.connection.authenticate();
        button.disabled = false;
        if (result.ok) {
          status.replaceChildren(alertBox("success", h("p", {}, "Thanks, you're verified.")));
          resolve(true);
          return;
        }
        if (result.blocked) {
          status.replaceChildren(alertBox("error", h("p", {}, "Your browser blocked the verification window. Allow pop-ups for this page, then try again.")));
        } else {
          status.replaceChildren(alertBox("warning", h("p", {}, "Verification wasn't completed. Try again when you're ready.")));
        }
        button.focus();
      });
    });
  }
}
