// <stripe-connect-account-onboarding>: the account's details, step by step, in an overlay.

import { ConnectElement } from "./element.js";
import { alertBox, h, openOverlay, renderForm, summaryRows, uid } from "./ui.js";

const SOURCE = "account_onboarding.onboarding";

export class AccountOnboarding extends ConnectElement {
  constructor() {
    super();
    this.terms = { full: "", recipient: "", privacy: "", skip: false };
  }

  get componentName() {
    return "account_onboarding";
  }

  get loadingLabel() {
    return "Loading your account setup…";
  }

  setOnExit(listener) {
    this.handlers.exit = typeof listener === "function" ? listener : null;
  }

  setOnStepChange(listener) {
    this.handlers.stepChange = typeof listener === "function" ? listener : null;
  }

  setFullTermsOfServiceUrl(url) {
    this.terms.full = typeof url === "string" ? url : "";
  }

  setRecipientTermsOfServiceUrl(url) {
    this.terms.recipient = typeof url === "string" ? url : "";
  }

  setPrivacyPolicyUrl(url) {
    this.terms.privacy = typeof url === "string" ? url : "";
  }

  setSkipTermsOfServiceCollection(skip) {
    this.terms.skip = Boolean(skip);
  }

  // --- the card in the page ---------------------------------------------------------------------

  render() {
    const { account, steps } = this.view;
    const platform = this.connection.description.platform.name;
    const visible = steps.filter((step) => step.id !== "stripe_user_authentication");
    const done = visible.filter((step) => step.complete).length;
    const submitted = account.detailsSubmitted;
    const list = h("ol", { class: "steps", "aria-label": "Setup steps" });
    for (const step of visible) {
      const failed = step.failed && step.failed.length;
      const state = failed ? "failed" : step.complete ? "complete" : "todo";
      list.append(
        h(
          "li",
          { class: `step step--${state}` },
          h("span", { class: "step__mark", "aria-hidden": "true" }, failed ? "!" : step.complete ? "✓" : String(visible.indexOf(step) + 1)),
          h("span", {}, step.title),
          h("span", { class: "visually-hidden" }, failed ? " (needs attention)" : step.complete ? " (done)" : " (to do)"),
        ),
      );
    }
    const headingId = uid("onboarding-title");
    const card = h(
      "section",
      { class: "card", "aria-labelledby": headingId, dataset: { component: "account-onboarding" } },
      h(
        "div",
        { class: "card__head" },
        h(
          "div",
          {},
          h("h2", { class: "card__title", id: headingId }, submitted ? "Your account is set up" : `Set up payments on ${platform}`),
          h(
            "p",
            { class: "card__lede" },
            submitted
              ? "You can review and update the details you gave us at any time."
              : "Tell us about your business so you can get paid. It takes about five minutes.",
          ),
        ),
        h("span", { class: `badge ${submitted ? "badge--success" : "badge--info"}` }, submitted ? "Submitted" : `${done} of ${visible.length} done`),
      ),
      h(
        "div",
        { class: "progress", role: "progressbar", "aria-label": "Setup progress", "aria-valuemin": "0", "aria-valuemax": String(visible.length), "aria-valuenow": String(done) },
        h("div", { class: "progress__bar" }),
      ),
      list,
      h("button", { class: "button", type: "button", onclick: () => this.openFlow() }, submitted ? "Review details" : done ? "Continue setup" : "Start setup"),
    );
    card.querySelector(".progress__bar").style.width = `${Math.round((done / Math.max(visible.length, 1)) * 100)}%`;
    this.root.replaceChildren(card);
  }

  // --- the flow in an overlay -----------------------------------------------------------------

  openFlow(startAt = null) {
    const steps = this.view.steps;
    const first = startAt || (steps.find((step) => !step.complete) || steps[steps.length - 1]).id;
    this.overlay = openOverlay(this.root, {
      kind: this.overlayKind,
      title: "",
      eyebrow: " ",
      support: this.support({ source: SOURCE }),
      onClose: (reason) => {
        this.overlays.delete(this.overlay);
        this.overlay = null;
        if (reason !== "removed" && reason !== "logged_out") this.call("exit", {});
        this.renderSafely();
      },
    });
    this.overlays.add(this.overlay);
    this.showStep(first);
  }

  stepIndex(id) {
    return this.view.steps.findIndex((step) => step.id === id);
  }

  showStep(id) {
    const overlay = this.overlay;
    if (!overlay) return;
    const steps = this.view.steps;
    const step = steps[this.stepIndex(id)] || steps[0];
    this.current = step.id;
    overlay.dialog.dataset.step = step.id;
    overlay.setTitle(step.id === "summary" ? "Review and submit" : step.title);
    const eyebrow = overlay.dialog.querySelector(".overlay__eyebrow");
    if (eyebrow) eyebrow.textContent = `Step ${this.stepIndex(step.id) + 1} of ${steps.length}`;
    overlay.actions.replaceChildren();
    this.call("stepChange", { step: step.id });
    if (step.id === "stripe_user_authentication") {
      overlay.setSupport(this.support({ source: "authentication.dialog" }));
      this.authenticationStep(overlay.body).then(() => this.afterAuthentication());
      overlay.actions.append(h("button", { class: "button button--secondary", type: "button", onclick: () => overlay.close("dismissed") }, "Cancel"));
      overlay.focusFirst();
      return;
    }
    const failed = step.failed && step.failed.length ? step.failed[0] : null;
    overlay.setSupport(this.support({ source: SOURCE, requirement: failed }));
    if (step.id === "summary") {
      this.showSummary();
      return;
    }
    const section = this.view.sections[step.section];
    const form = renderForm(section);
    const problems = this.failures(step);
    overlay.body.replaceChildren(...problems, section.description ? h("p", { class: "group__description" }, section.description) : null, form.form);
    const back = this.previous(step.id);
    if (back) overlay.actions.append(h("button", { class: "button button--secondary", type: "button", onclick: () => this.showStep(back) }, "Back"));
    const save = h("button", { class: "button", type: "submit" }, "Continue");
    overlay.actions.append(save);
    save.addEventListener("click", (event) => {
      event.preventDefault();
      this.saveStep(step, section, form, save);
    });
    form.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.saveStep(step, section, form, save);
    });
    overlay.focusFirst();
  }

  failures(step) {
    const errors = this.view.account.requirements.errors || [];
    return errors
      .filter((error) => (step.failed || []).includes(error.requirement))
      .map((error) =>
        alertBox(
          "error",
          h("p", {}, h("strong", {}, "We couldn't verify this information.")),
          h("p", {}, error.reason),
          h("p", { class: "small" }, "Correct it below. If it's already right, contact support from the link at the bottom of this window."),
        ),
      );
  }

  previous(id) {
    const index = this.stepIndex(id);
    for (let i = index - 1; i >= 0; i -= 1) {
      if (this.view.steps[i].id !== "stripe_user_authentication") return this.view.steps[i].id;
    }
    return null;
  }

  next(id) {
    const index = this.stepIndex(id);
    const following = this.view.steps[index + 1];
    return following ? following.id : "summary";
  }

  async afterAuthentication() {
    await this.refreshView();
    if (this.overlay) this.showStep(this.resumeAt || this.next("stripe_user_authentication"));
    this.resumeAt = null;
  }

  async refreshView() {
    this.view = await this.connection.request("GET", `components/${this.componentName}`, { query: this.query });
  }

  async saveStep(step, section, form, button) {
    button.disabled = true;
    form.clearErrors();
    try {
      this.view = await this.connection.request("POST", `components/${this.componentName}/sections/${section.id}`, {
        body: { values: form.values(), fields: this.collectionOptions.fields },
      });
      this.showStep(this.next(step.id));
    } catch (error) {
      button.disabled = false;
      this.handleWriteError(error, form, step.id);
    }
  }

  handleWriteError(error, form, stepId) {
    if (error.code === "authentication_required") {
      this.resumeAt = stepId;
      this.showAuthentication();
      return;
    }
    if (error.type === "api_connection_error") {
      form.showErrors("We couldn't reach the server, so nothing was saved. Check your connection and try again.", {});
      return;
    }
    form.showErrors(error.message, error.fields || {});
  }

  showAuthentication() {
    const overlay = this.overlay;
    overlay.setTitle("Verify it's you");
    overlay.dialog.dataset.step = "stripe_user_authentication";
    overlay.actions.replaceChildren();
    overlay.setSupport(this.support({ source: "authentication.dialog" }));
    this.call("stepChange", { step: "stripe_user_authentication" });
    this.authenticationStep(overlay.body, { reason: "For your security, confirm it's you again before we save these details. We'll text a code to the mobile number on file." }).then(() =>
      this.afterAuthentication(),
    );
    overlay.focusFirst();
  }

  showSummary() {
    const overlay = this.overlay;
    const view = this.view;
    const review = h("div", { class: "review" });
    for (const step of view.steps) {
      if (!step.section) continue;
      const section = view.sections[step.section];
      const status = step.failed && step.failed.length ? h("span", { class: "badge badge--danger" }, "Couldn't verify") : step.complete ? null : h("span", { class: "badge badge--warning" }, "Missing information");
      review.append(
        h(
          "section",
          { class: "review__section", "aria-label": step.title },
          h(
            "div",
            { class: "review__head" },
            h("h3", { class: "review__title" }, step.title, " ", status),
            h("button", { class: "link-button", type: "button", onclick: () => this.showStep(step.id), "aria-label": `Edit ${step.title.toLowerCase()}` }, "Edit"),
          ),
          summaryRows(section.summary),
        ),
      );
    }
    const support = this.connection.description.support;
    const base = support.siteUrl;
    const termsUrl = this.terms.full || `${base}legal/`;
    const privacyUrl = this.terms.privacy || `${base}privacy/`;
    const checkboxId = uid("terms");
    const errorId = `${checkboxId}-error`;
    const checkbox = h("input", { type: "checkbox", id: checkboxId, name: "accept_terms", required: true, "aria-required": "true" });
    const termsError = h("p", { class: "field__error", id: errorId, hidden: true });
    const terms = this.terms.skip
      ? null
      : h(
          "div",
          { class: "field field--checkbox" },
          checkbox,
          h(
            "div",
            { class: "field__text" },
            h(
              "label",
              { for: checkboxId },
              "I agree to the ",
              h("a", { href: termsUrl, target: "_blank", rel: "noopener" }, "services agreement"),
              " and have read the ",
              h("a", { href: privacyUrl, target: "_blank", rel: "noopener" }, "privacy policy"),
              ".",
            ),
            termsError,
          ),
        );
    const summaryAlert = h("div", { role: "alert" });
    const missing = view.steps.filter((step) => step.missing && step.missing.length);
    if (missing.length) {
      summaryAlert.append(alertBox("warning", h("p", {}, "Some information is still missing. Use Edit to add it before you submit.")));
    }
    overlay.body.replaceChildren(h("p", { class: "group__description" }, "Check your details. You can change them later too."), summaryAlert, review, terms);
    const back = this.previous("summary");
    if (back) overlay.actions.append(h("button", { class: "button button--secondary", type: "button", onclick: () => this.showStep(back) }, "Back"));
    const submit = h("button", { class: "button", type: "button", disabled: !view.canSubmit || null }, view.account.detailsSubmitted ? "Save and close" : "Agree and submit");
    overlay.actions.append(submit);
    submit.addEventListener("click", async () => {
      if (!this.terms.skip && !checkbox.checked) {
        termsError.textContent = "Check this box to accept the terms.";
        termsError.hidden = false;
        checkbox.setAttribute("aria-invalid", "true");
        checkbox.setAttribute("aria-describedby", errorId);
        checkbox.focus();
        return;
      }
      submit.disabled = true;
      try {
        this.view = await this.connection.request("POST", "components/account_onboarding/submit", {
          body: { values: { accept_terms: this.terms.skip ? "" : true }, skipTermsOfService: this.terms.skip, fields: this.collectionOptions.fields },
        });
        this.showDone();
      } catch (error) {
        submit.disabled = false;
        if (error.code === "authentication_required") {
          this.resumeAt = "summary";
          this.showAuthentication();
          return;
        }
        summaryAlert.replaceChildren(alertBox("error", h("p", {}, error.type === "api_connection_error" ? "We couldn't reach the server, so nothing was submitted. Try again." : error.message)));
      }
    });
    overlay.focusFirst();
  }

  showDone() {
    const overlay = this.overlay;
    const failed = (this.view.account.requirements.errors || []).length > 0;
    overlay.dialog.dataset.step = "done";
    overlay.setTitle(failed ? "Details submitted" : "You're all set");
    overlay.body.replaceChildren(
      h(
        "div",
        { class: "done", role: "status" },
        h("div", { class: "done__icon", "aria-hidden": "true" }, "✓"),
        h("h3", { class: "card__title" }, "Thanks, we have your details"),
        h(
          "p",
          { class: "muted" },
          failed
            ? "We couldn't verify everything yet. You'll see what's left in your notifications."
            : `You can start accepting payments on ${this.connection.description.platform.name}.`,
        ),
      ),
    );
    overlay.actions.replaceChildren(h("button", { class: "button", type: "button", onclick: () => overlay.close("done") }, "Done"));
    overlay.actions.querySelector("button").focus();
  }
}
