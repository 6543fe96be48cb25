// One page's connection to the operator: the account session, its page token, requests
// with retries, the authentication popup and the hand-off to the support site.

import { appearanceSheet, applyAppearance } from "./appearance.js";

export const ERROR_TYPES = [
  "api_connection_error",
  "authentication_error",
  "account_session_create_error",
  "invalid_request_error",
  "rate_limit_error",
  "render_error",
  "api_error",
];

const AUTHENTICATED = "connect-support:authenticated";
const CANCELLED = "connect-support:authentication-cancelled";

export class ConnectError extends Error {
  constructor(type, message, { code = "", fields = null, status = 0 } = {}) {
    super(message);
    this.type = ERROR_TYPES.includes(type) ? type : "api_error";
    this.code = code;
    this.fields = fields;
    this.status = status;
  }

  toJSON() {
    return { type: this.type, message: this.message };
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function readJson(response) {
  try {
    return await response.json();
  } catch {
    return null;
  }
}

function errorFrom(status, data) {
  const error = (data && data.error) || {};
  let type = error.type;
  if (!type) type = status === 429 ? "rate_limit_error" : status >= 500 ? "api_error" : "invalid_request_error";
  const message = error.message || (status >= 500 ? "Something went wrong on our side. Try again." : "The request was refused.");
  return new ConnectError(type, message, { code: error.code || "", fields: error.fields || null, status });
}

export class Connection {
  constructor({ publishableKey, fetchClientSecret, appearance, locale, operatorOrigin }) {
    this.publishableKey = publishableKey;
    this.fetchClientSecret = fetchClientSecret;
    this.appearance = appearance || {};
    this.locale = locale || "";
    this.origin = operatorOrigin;
    this.sheet = appearanceSheet(this.appearance);
    this.elements = new Set();
    this.token = null;
    this.description = null;
    this.ended = false;
    this.refreshing = null;
    this.expiryTimer = null;
    this.authenticating = null;
  }

  start() {
    this.ready = this.boot();
    this.ready.catch(() => {});
  }

  register(element) {
    this.elements.add(element);
  }

  unregister(element) {
    this.elements.delete(element);
  }

  broadcastError(error) {
    for (const element of this.elements) element.reportLoadError(error);
  }

  update({ appearance, locale } = {}) {
    if (appearance) {
      // Like the first appearance, merged: update({appearance: {overlays}}) keeps the colors.
      const variables = { ...(this.appearance.variables || {}), ...(appearance.variables || {}) };
      this.appearance = { ...this.appearance, ...appearance, variables };
      applyAppearance(this.sheet, this.appearance);
    }
    if (typeof locale === "string") this.locale = locale;
    for (const element of this.elements) element.appearanceChanged();
  }

  async logout() {
    this.ended = true;
    clearTimeout(this.expiryTimer);
    const token = this.token;
    this.token = null;
    for (const element of this.elements) element.loggedOut();
    if (!token) return;
    try {
      await fetch(`${this.origin}/embedded/api/logout`, {
        method: "POST",
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
        body: "{}",
        credentials: "omit",
      });
    } catch {
      // The session expires on its own; nothing else holds the token.
    }
  }

  // --- the account session ------------------------------------------------------------------

  async boot() {
    let authenticationFailures = 0;
    let creationFailures = 0;
    let transientFailures = 0;
    for (;;) {
      if (this.ended) throw new ConnectError("authentication_error", "You were logged out.");
      let secret;
      try {
        secret = await this.fetchClientSecret();
        if (typeof secret !== "string" || !secret) {
          throw new Error("fetchClientSecret must resolve to the account session's client_secret");
        }
      } catch (problem) {
        const failure = new ConnectError(
          "account_session_create_error",
          `The platform couldn't start a session: ${problem && problem.message ? problem.message : problem}`,
        );
        this.broadcastError(failure);
        creationFailures += 1;
        if (creationFailures >= 3) throw failure;
        await sleep(1000 * creationFailures);
        continue;
      }
      try {
        const description = await this.claim(secret);
        this.accept(description);
        return description;
      } catch (failure) {
        this.broadcastError(failure);
        if (failure.type === "authentication_error") {
          // Expired or already used: ask the platform for a fresh secret, a few times.
          authenticationFailures += 1;
          if (authenticationFailures < 3) continue;
        } else if (["api_connection_error", "api_error", "rate_limit_error"].includes(failure.type)) {
          transientFailures += 1;
          if (transientFailures < 4) {
            await sleep(500 * 2 ** transientFailures);
            continue;
          }
        }
        throw failure;
      }
    }
  }

  async claim(secret) {
    let response;
    try {
      response = await fetch(`${this.origin}/embedded/api/boot`, {
        method: "POST",
        body: new URLSearchParams({ client_secret: secret, publishable_key: this.publishableKey || "" }),
        credentials: "omit",
        cache: "no-store",
      });
    } catch {
      // A refused CORS request and a network failure look the same here; a no-cors
      // request to the same server tells them apart.
      if (await this.reachable()) {
        throw new ConnectError(
          "invalid_request_error",
          `This page's origin (${location.origin}) is not registered for these components. ` +
            "The platform must add it to its allowed origins.",
          { code: "origin_not_allowed" },
        );
      }
      throw new ConnectError("api_connection_error", "We couldn't reach the server. Check your connection.");
    }
    const data = await readJson(response);
    if (!response.ok) throw errorFrom(response.status, data);
    return data;
  }

  async reachable() {
    try {
      await fetch(`${this.origin}/embedded/api/ping`, { mode: "no-cors", cache: "no-store", credentials: "omit" });
      return true;
    } catch {
      return false;
    }
  }

  accept(description) {
    this.token = description.pageToken;
    delete description.pageToken;
    this.description = description;
    clearTimeout(this.expiryTimer);
    const wait = description.session.expiresAt * 1000 - Date.now() - 30_000;
    // The session ends on its own schedule: fetch a fresh one just before it does.
    this.expiryTimer = setTimeout(() => this.refresh(), Math.max(wait, 1000));
  }

  refresh() {
    if (this.ended) return Promise.reject(new ConnectError("authentication_error", "You were logged out."));
    if (!this.refreshing) {
      this.refreshing = this.boot().finally(() => {
        this.refreshing = null;
      });
      this.ready = this.refreshing;
      this.ready.catch(() => {});
      for (const element of this.elements) element.sessionRefreshing(this.refreshing);
    }
    return this.refreshing;
  }

  get support() {
    return this.description ? this.description.support : null;
  }

  get authentication() {
    return this.description ? this.description.authentication : { required: true, recent: false, authenticated: false };
  }

  component(name) {
    return (this.description && this.description.components[name]) || { enabled: false, features: {} };
  }

  // --- requests -------------------------------------------------------------------------------

  async request(method, path, { body = null, query = null, formData = null } = {}) {
    await this.ready;
    for (let attempt = 0; ; attempt += 1) {
      if (this.ended) throw new ConnectError("authentication_error", "You were logged out.");
      const url = new URL(`${this.origin}/embedded/api/${path}`);
      for (const [key, value] of Object.entries(query || {})) if (value) url.searchParams.set(key, value);
      const token = this.token;
      let response;
      try {
        // FormData sets its own multipart Content-Type (with the boundary).
        response = await fetch(url, {
          method,
          headers: body ? { Authorization: `Bearer ${token}`, "Content-Type": "application/json" } : { Authorization: `Bearer ${token}` },
          body: formData || (body ? JSON.stringify(body) : undefined),
          credentials: "omit",
          cache: "no-store",
        });
      } catch {
        if (attempt < 3) {
          await sleep(400 * 2 ** attempt);
          continue;
        }
        throw new ConnectError("api_connection_error", "We couldn't reach the server. Check your connection and try again.");
      }
      const data = await readJson(response);
      if (response.status === 401 && attempt < 2) {
        if (this.token === token) {
          this.broadcastError(errorFrom(401, data));
          await this.refresh();
        }
        continue;
      }
      if ((response.status === 429 || response.status >= 500) && attempt < 3) {
        await sleep(600 * 2 ** attempt);
        continue;
      }
      if (!response.ok) throw errorFrom(response.status, data);
      return data;
    }
  }

  // --- authentication ---------------------------------------------------------------------------

  authenticate() {
    if (this.authenticating) return this.authenticating;
    const url = new URL(`${this.origin}/embedded/auth/`);
    url.searchParams.set("token", this.token || "");
    url.searchParams.set("origin", location.origin);
    const popup = window.open(url.href, "connect-support-authentication", "popup,width=480,height=720");
    if (!popup) return Promise.resolve({ ok: false, blocked: true });
    this.authenticating = new Promise((resolve) => {
      let reported = false;
      const finish = (result) => {
        window.removeEventListener("message", onMessage);
        clearInterval(watch);
        this.authenticating = null;
        resolve(result);
      };
      const onMessage = async (event) => {
        if (event.origin !== this.origin || event.source !== popup) return;
        const data = event.data || {};
        if (data.type === AUTHENTICATED && this.description && data.accountSession === this.description.session.id) {
          reported = true;
          try {
            // The message only says "look again": the server's word decides.
            const state = await this.request("GET", "session");
            this.description.authentication = state.authentication;
            finish({ ok: Boolean(state.authentication.recent) });
          } catch (error) {
            finish({ ok: false, error });
          }
        } else if (data.type === CANCELLED) {
          finish({ ok: false, cancelled: true });
        }
      };
      window.addEventListener("message", onMessage);
      const watch = setInterval(() => {
        if (popup.closed && !reported) finish({ ok: false, cancelled: true });
      }, 400);
    });
    return this.authenticating;
  }

  /** A one-time link that opens the support site signed in, or null. */
  async handoffUrl(next) {
    if (!this.token || !this.authentication.authenticated) return null;
    try {
      const response = await fetch(`${this.origin}/embedded/auth/handoff`, {
        method: "POST",
        body: new URLSearchParams({ token: this.token, next }),
        credentials: "omit",
        cache: "no-store",
      });
      if (!response.ok) return null;
      const data = await response.json();
      return typeof data.url === "string" ? data.url : null;
    } catch {
      return null;
    }
  }
}
