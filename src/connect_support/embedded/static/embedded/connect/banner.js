// <stripe-connect-notification-banner>: what the account must do (requirements, and risk
// interventions when there are any), each answered in a modal form.

import { ConnectElement } from "./element.js";
import { alertBox, formatDate, h, openOverlay, renderForm, uid } from "./ui.js";

function scopeOf(affects) {
  const payments = affects.has("payments");
  const payouts = affects.has("payouts");
  if (payments && payouts) return "payments and payouts";
  return payments ? "payments" : "payouts";
}

const capitalize = (text) => text.charAt(0).toUpperCase() + text.slice(1);

export class NotificationBanner extends ConnectElement {
  constructor() {
    super();
    this.expanded = null;
    this.reported = null;
  }

  get componentName() {
    return "notification_banner";
  }

  get loadingLabel() {
    return "Checking for notifications…";
  }

  setOnNotificationsChange(listener) {
    this.handlers.notificationsChange = typeof listener === "function" ? listener : null;
    if (this.reported) this.call("notificationsChange", { ...this.reported });
  }

  start() {
    // The banner stays out of the page until it has something to say.
    this.started = true;
    queueMicrotask(() => this.call("loaderStart", { elementTagName: this.localName }));
    this.connection.ready.then(() => this.reload()).catch((error) => this.showFailure(error, { reported: true }));
  }

  reportCounts(counts) {
    const changed = !this.reported || this.reported.total !== counts.total || this.reported.actionRequired !== counts.actionRequired;
    this.reported = { total: counts.total, actionRequired: counts.actionRequired };
    if (changed) this.call("notificationsChange", { ...this.reported });
  }

  render() {
    const { account, items, counts } = this.view;
    this.reportCounts(counts);
    if (!account.detailsSubmitted || !items.length) {
      this.root.replaceChildren();
      return;
    }
    const actionable = items.filter((item) => item.status === "action_required");
    const overdue = actionable.some((item) => item.overdue);
    const allInReview = actionable.length === 0;
    if (this.expanded === null || this.lastAllInReview !== allInReview) this.expanded = !allInReview;
    this.lastAllInReview = allInReview;

    const affects = new Set(actionable.flatMap((item) => item.affects));
    const paused = new Set();
    if (!account.chargesEnabled && affects.has("payments")) paused.add("payments");
    if (!account.payoutsEnabled && affects.has("payouts")) paused.add("payouts");
    let headline;
    let detail;
    let tone;
    if (allInReview) {
      tone = "review";
      headline = "Your information is in review";
      detail = "We'll let you know if we need anything else. There's nothing to do for now.";
    } else if (paused.size || overdue) {
      tone = "danger";
      const scope = scopeOf(paused.size ? paused : affects);
      headline = `${capitalize(scope)} ${paused.size ? "are paused" : "will be paused"}`;
      detail = paused.size ? `Provide the information below to resume your ${scope}.` : `Provide the information below to keep your ${scope} running.`;
    } else {
      tone = "warning";
      const scope = scopeOf(affects);
      headline = `Action required to keep your ${scope} running`;
      const deadlines = actionable.map((item) => item.dueBy).filter(Boolean);
      detail = deadlines.length ? `Provide the information below by ${formatDate(Math.min(...deadlines), this.connection.locale)}.` : "Provide the information below.";
    }

    const listId = uid("notifications");
    const headingId = uid("banner-title");
    const list = h("ul", { class: "banner__items", id: listId, hidden: !this.expanded || null });
    for (const item of items) list.append(this.renderItem(item));
    const toggle = h(
      "button",
      { class: "link-button", type: "button", "aria-expanded": String(this.expanded), "aria-controls": listId },
      this.expanded ? "Hide details" : allInReview ? "View details" : `Show ${items.length} item${items.length === 1 ? "" : "s"}`,
    );
    toggle.addEventListener("click", () => {
      this.expanded = !this.expanded;
      this.renderSafely();
      const again = this.root.querySelector("[aria-controls]");
      if (again) again.focus();
    });
    const count = allInReview
      ? h("span", { class: "badge badge--info" }, `${items.length} in review`)
      : h("span", { class: `badge ${tone === "danger" ? "badge--danger" : "badge--warning"}` }, `${actionable.length} to do`);
    this.root.replaceChildren(
      h(
        "section",
        { class: `banner banner--${tone}`, "aria-labelledby": headingId, dataset: { component: "notification-banner", state: allInReview ? "in_review" : "action_required" } },
        h(
          "div",
          { class: "banner__head" },
          h("span", { class: "banner__icon", "aria-hidden": "true" }, allInReview ? "i" : "!"),
          h("div", { class: "banner__text" }, h("h2", { class: "banner__headline", id: headingId }, headline), h("p", { class: "muted small" }, detail)),
          h("div", { class: "item__actions" }, count, toggle),
        ),
        list,
      ),
    );
  }

  renderItem(item) {
    const meta = h("div", { class: "item__meta" });
    if (item.status === "in_review") {
      meta.append(h("span", { class: "badge badge--info" }, "In review"));
    } else if (item.overdue) {
      meta.append(h("span", { class: "badge badge--danger", dataset: { due: "overdue" } }, item.dueBy ? `Overdue since ${formatDate(item.dueBy, this.connection.locale)}` : "Overdue"));
    } else if (item.dueBy) {
      meta.append(h("span", { class: "badge badge--warning", dataset: { due: "upcoming" } }, `Due by ${formatDate(item.dueBy, this.connection.locale)}`));
    } else if (item.future) {
      meta.append(h("span", { class: "badge" }, "Needed later"));
    } else {
      meta.append(h("span", { class: "badge badge--warning", dataset: { due: "now" } }, "Due now"));
    }
    const affects = item.affects.length ? `Affects ${scopeOf(new Set(item.affects))}` : "";
    if (affects) meta.append(h("span", { class: "small muted" }, affects));
    const context = item.kind === "intervention" ? { source: item.support.source, intervention: item.code } : { source: item.support.source, requirement: item.code };
    const actions = h("div", { class: "item__actions" });
    if (item.errors && item.errors.length) actions.append(this.support(context));
    if (item.status === "action_required" && item.form) {
      actions.append(
        h(
          "button",
          { class: "button button--small", type: "button", "aria-label": `${item.errors && item.errors.length ? "Update" : "Resolve"}: ${item.title}`, onclick: () => this.answer(item) },
          item.errors && item.errors.length ? "Update" : "Resolve",
        ),
      );
    }
    return h(
      "li",
      { class: "item", dataset: { item: item.id, status: item.status } },
      h(
        "div",
        { class: "item__text" },
        h("p", { class: "item__title" }, item.title),
        item.errors && item.errors.length ? item.errors.map((error) => h("p", { class: "item__error" }, error)) : h("p", { class: "small muted" }, item.description),
        meta,
      ),
      actions,
    );
  }

  answer(item) {
    const context = item.kind === "intervention" ? { source: item.support.source, intervention: item.code } : { source: item.support.source, requirement: item.code };
    const overlay = openOverlay(this.root, {
      kind: this.overlayKind,
      title: item.form.title || item.title,
      eyebrow: item.kind === "intervention" ? "Risk review" : "Request for information",
      support: this.support(context),
      onClose: () => this.overlays.delete(overlay),
    });
    overlay.dialog.dataset.dialog = item.id;
    this.overlays.add(overlay);
    const needsAuthentication = item.form.requiresAuthentication && this.connection.authentication.required && !this.connection.authentication.recent;
    if (needsAuthentication) this.authenticate(overlay, item, context);
    else this.showForm(overlay, item, context);
  }

  authenticate(overlay, item, context, reason = "") {
    overlay.setTitle("Verify it's you");
    overlay.setSupport(this.support({ source: "authentication.dialog" }));
    overlay.actions.replaceChildren(h("button", { class: "button button--secondary", type: "button", onclick: () => overlay.close("dismissed") }, "Cancel"));
    this.authenticationStep(overlay.body, { reason }).then(() => {
      if (!overlay.dialog.isConnected) return;
      overlay.setTitle(item.form.title || item.title);
      overlay.setSupport(this.support(context));
      this.showForm(overlay, item, context);
    });
    overlay.focusFirst();
  }

  showForm(overlay, item, context) {
    const form = renderForm(item.form);
    const intro = item.form.description ? h("p", { class: "group__description" }, item.form.description) : null;
    const errors = item.errors && item.errors.length ? alertBox("error", ...item.errors.map((error) => h("p", {}, error))) : null;
    overlay.body.replaceChildren(errors || intro, form.form);
    const submit = h("button", { class: "button", type: "submit" }, "Submit");
    overlay.actions.replaceChildren(h("button", { class: "button button--secondary", type: "button", onclick: () => overlay.close("dismissed") }, "Cancel"), submit);
    const send = async (event) => {
      event.preventDefault();
      submit.disabled = true;
      form.clearErrors();
      try {
        const body = { values: form.values(), fields: this.collectionOptions.fields, futureRequirements: this.collectionOptions.futureRequirements };
        const files = form.files();
        const path = `notifications/${encodeURIComponent(item.id)}/answer`;
        if (Object.keys(files).length) {
          // Documents go as multipart: the JSON body in "payload", each file under its question's name.
          const data = new FormData();
          data.append("payload", JSON.stringify(body));
          for (const [name, file] of Object.entries(files)) data.append(name, file, file.name);
          this.view = await this.connection.request("POST", path, { formData: data });
        } else {
          this.view = await this.connection.request("POST", path, { body });
        }
        overlay.close("answered");
        this.renderSafely();
        const banner = this.root.querySelector(".banner");
        if (banner) banner.prepend(h("div", { class: "banner__head" }, alertBox("success", h("p", {}, "Thanks, we've received your answer."))));
      } catch (error) {
        submit.disabled = false;
        if (error.code === "authentication_required") {
          this.authenticate(overlay, item, context, "For your security, confirm it's you again before we send your answer.");
          return;
        }
        const message = error.type === "api_connection_error" ? "We couldn't reach the server, so nothing was sent. Try again." : error.message;
        form.showErrors(message, error.fields || {});
      }
    };
    submit.addEventListener("click", send);
    form.form.addEventListener("submit", send);
    overlay.focusFirst();
  }
}
