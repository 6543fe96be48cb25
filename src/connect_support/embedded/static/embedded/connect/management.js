// <stripe-connect-account-management>: the account's details, each part edited in a dialog.

import { ConnectElement } from "./element.js";
import { alertBox, h, openOverlay, renderForm, summaryRows, uid } from "./ui.js";

const DIALOGS = {
  professional_details: { source: "account_management.edit_professional_details", title: "Edit professional details" },
  public_details: { source: "account_management.edit_public_details", title: "Edit public details" },
  personal_details: { source: "account_management.edit_personal_details", title: "Edit personal details" },
  payout_details: { source: "account_management.edit_payout_details", title: "Edit payout details" },
};

export class AccountManagement extends ConnectElement {
  get componentName() {
    return "account_management";
  }

  get loadingLabel() {
    return "Loading your account details…";
  }

  render() {
    const { account, sections } = this.view;
    if (!account.detailsSubmitted) {
      // Account management shows once onboarding is submitted.
      this.root.replaceChildren();
      return;
    }
    const headingId = uid("management-title");
    const list = h("div", { class: "sections" });
    for (const [id, dialog] of Object.entries(DIALOGS)) {
      const section = sections[id];
      if (!section) continue;
      const titleId = uid("section-title");
      const problem = id === "payout_details" && this.view.payoutProblem;
      list.append(
        h(
          "section",
          { class: "section", "aria-labelledby": titleId, dataset: { section: id } },
          h(
            "div",
            { class: "section__head" },
            h("h3", { class: "section__title", id: titleId }, section.title),
            h(
              "button",
              { class: "button button--secondary button--small", type: "button", "aria-label": dialog.title, onclick: () => this.edit(id) },
              "Edit",
            ),
          ),
          problem
            ? alertBox(
                "error",
                h("p", {}, problem),
                h("p", {}, this.support({ source: dialog.source, requirement: "external_account" })),
              )
            : null,
          summaryRows(section.summary),
        ),
      );
    }
    this.root.replaceChildren(
      h(
        "section",
        { class: "card", "aria-labelledby": headingId, dataset: { component: "account-management" } },
        h("div", { class: "card__head" }, h("div", {}, h("h2", { class: "card__title", id: headingId }, "Account details"), h("p", { class: "card__lede" }, account.businessName))),
        list,
      ),
    );
  }

  edit(id) {
    const dialog = DIALOGS[id];
    const section = this.view.sections[id];
    const overlay = openOverlay(this.root, {
      kind: this.overlayKind,
      title: dialog.title,
      support: this.support({ source: dialog.source }),
      onClose: () => {
        this.overlays.delete(overlay);
      },
    });
    overlay.dialog.dataset.dialog = id;
    this.overlays.add(overlay);
    if (section.requiresAuthentication && !this.connection.authentication.recent && this.connection.authentication.required) {
      this.authenticate(overlay, id);
    } else {
      this.showForm(overlay, id);
    }
  }

  authenticate(overlay, id, reason = "") {
    overlay.setTitle("Verify it's you");
    overlay.actions.replaceChildren(h("button", { class: "button button--secondary", type: "button", onclick: () => overlay.close("dismissed") }, "Cancel"));
    overlay.setSupport(this.support({ source: "authentication.dialog" }));
    this.authenticationStep(overlay.body, { reason }).then(() => {
      if (!overlay.dialog.isConnected) return;
      overlay.setTitle(DIALOGS[id].title);
      overlay.setSupport(this.support({ source: DIALOGS[id].source }));
      this.showForm(overlay, id);
    });
    overlay.focusFirst();
  }

  showForm(overlay, id) {
    const section = this.view.sections[id];
    const form = renderForm(section);
    overlay.body.replaceChildren(section.description ? h("p", { class: "group__description" }, section.description) : null, form.form);
    const save = h("button", { class: "button", type: "submit" }, "Save");
    overlay.actions.replaceChildren(h("button", { class: "button button--secondary", type: "button", onclick: () => overlay.close("dismissed") }, "Cancel"), save);
    const submit = async (event) => {
      event.preventDefault();
      save.disabled = true;
      form.clearErrors();
      try {
        this.view = await this.connection.request("POST", `components/${this.componentName}/sections/${id}`, {
          body: { values: form.values(), fields: this.collectionOptions.fields },
        });
        overlay.close("saved");
        this.renderSafely();
        this.announce(`${section.title} saved.`);
      } catch (error) {
        save.disabled = false;
        if (error.code === "authentication_required") {
          this.authenticate(overlay, id, "For your security, confirm it's you again before we save these details.");
          return;
        }
        const message = error.type === "api_connection_error" ? "We couldn't reach the server, so nothing was saved. Try again." : error.message;
        form.showErrors(message, error.fields || {});
      }
    };
    save.addEventListener("click", submit);
    form.form.addEventListener("submit", submit);
    overlay.focusFirst();
  }

  announce(text) {
    const card = this.root.querySelector(".card");
    if (!card) return;
    const status = alertBox("success", h("p", {}, text));
    card.prepend(status);
    setTimeout(() => status.remove(), 6000);
  }
}
