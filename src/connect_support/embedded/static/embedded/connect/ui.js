// Building blocks shared by the components: elements, overlays (dialog or drawer) with
// focus trapping, forms rendered from the server's field descriptions, and the
// Contact support link.

let counter = 0;
export const uid = (prefix) => `${prefix}-${(counter += 1)}`;

/** ``h("button", {class: "button", onclick}, "Save")``: text children are never parsed as HTML. */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") element.addEventListener(name.slice(2), value);
    else if (name === "class") element.className = value;
    else if (name === "dataset") Object.assign(element.dataset, value);
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

const SVG = "http://www.w3.org/2000/svg";
const PATHS = {
  external: "M14 4h6v6M20 4l-9 9M18 14v5a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1V7a1 1 0 0 1 1-1h5",
  shield: "M12 3l7 3v6c0 4.2-3 7.7-7 9-4-1.3-7-4.8-7-9V6l7-3z M9 12l2 2 4-4",
  help: "M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18z M9.5 9a2.5 2.5 0 1 1 3.5 2.3c-.6.3-1 .9-1 1.6V14 M12 17h.01",
};

export function icon(name) {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("fill", "none");
  svg.setAttribute("stroke", "currentColor");
  svg.setAttribute("stroke-width", "2");
  svg.setAttribute("stroke-linecap", "round");
  svg.setAttribute("stroke-linejoin", "round");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const path = document.createElementNS(SVG, "path");
  path.setAttribute("d", PATHS[name]);
  svg.append(path);
  return svg;
}

export function alertBox(kind, ...content) {
  return h("div", { class: `alert alert--${kind}`, role: kind === "error" ? "alert" : "status" }, h("div", { class: "alert__body" }, ...content));
}

export function loading(label) {
  return h("div", { class: "loading", role: "status", "aria-live": "polite" }, h("span", { class: "spinner", "aria-hidden": "true" }), label);
}

// --- Contact support ------------------------------------------------------------------------

/**
 * The Contact support link. An account the operator supports goes to the support site
 * on the articles for ``context`` (signed in through a one-time hand-off when the user
 * authenticated); any other account goes to the platform's own support contact.
 */
export function supportLink(connection, context) {
  const support = connection.support;
  if (!support) return null;
  if (!support.eligible) {
    const platform = support.platform;
    const href = platform.url || (platform.email ? `mailto:${platform.email}` : "");
    if (!href) return h("span", { class: "small muted" }, `Questions? Contact ${platform.name}.`);
    const external = !href.startsWith("mailto:");
    return h(
      "a",
      {
        class: "support-link",
        href,
        target: external ? "_blank" : null,
        rel: external ? "noopener noreferrer" : null,
        dataset: { support: "platform" },
      },
      icon("help"),
      "Contact support",
      h("span", { class: "visually-hidden" }, external ? ` from ${platform.name} (opens in a new tab)` : ` from ${platform.name} by email`),
    );
  }
  const url = new URL(support.siteUrl);
  url.searchParams.set("source", context.source);
  if (context.requirement) url.searchParams.set("requirement", context.requirement);
  if (context.intervention) url.searchParams.set("intervention", context.intervention);
  const link = h(
    "a",
    { class: "support-link", href: url.href, target: "_blank", rel: "noopener", dataset: { support: "operator" } },
    icon("help"),
    "Contact support",
    h("span", { class: "visually-hidden" }, " (opens in a new tab)"),
  );
  link.addEventListener("click", (event) => {
    if (!connection.authentication.authenticated) return;
    // Signed in on the support site too: a one-time link, fetched on click.
    event.preventDefault();
    const tab = window.open("about:blank", "_blank");
    connection.handoffUrl(url.pathname + url.search).then((handoff) => {
      const target = handoff || url.href;
      if (tab) {
        tab.opener = null;
        tab.location.href = target;
      } else {
        window.open(target, "_blank", "noopener");
      }
    });
  });
  return link;
}

// --- overlays -------------------------------------------------------------------------------

const FOCUSABLE = "a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";

/**
 * A modal dialog (or a drawer, with ``appearance.overlays = 'drawer'``) in ``root``.
 * Focus stays inside while it is open, Escape closes it, and focus returns to what
 * opened it. Returns ``{dialog, body, actions, close, setSupport}``.
 */
export function openOverlay(root, { kind, title, eyebrow = "", label = "", support = null, onClose = null }) {
  const titleId = uid("title");
  const opener = root.activeElement || null;
  const body = h("div", { class: "overlay__body" });
  const actions = h("div", { class: "overlay__actions" });
  const supportRow = h("div", { class: "overlay__support" });
  const closeButton = h("button", { class: "icon-button", type: "button", "aria-label": "Close" }, "×");
  const heading = h("h2", { class: "overlay__title", id: titleId }, title);
  const dialog = h(
    "dialog",
    { class: `overlay overlay--${kind}`, "aria-labelledby": titleId, "aria-label": label || null, dataset: { overlay: kind } },
    h(
      "div",
      { class: "overlay__panel" },
      h("div", { class: "overlay__header" }, h("div", {}, eyebrow ? h("p", { class: "overlay__eyebrow" }, eyebrow) : null, heading), closeButton),
      body,
      h("div", { class: "overlay__footer" }, actions, supportRow),
    ),
  );
  let closed = false;
  const close = (reason = "closed") => {
    if (closed) return;
    closed = true;
    dialog.close();
    dialog.remove();
    if (opener && opener.isConnected && typeof opener.focus === "function") opener.focus();
    if (onClose) onClose(reason);
  };
  closeButton.addEventListener("click", () => close("dismissed"));
  dialog.addEventListener("cancel", (event) => {
    event.preventDefault();
    close("dismissed");
  });
  dialog.addEventListener("keydown", (event) => {
    if (event.key !== "Tab") return;
    const items = [...dialog.querySelectorAll(FOCUSABLE)].filter((el) => el.offsetParent !== null || el === document.activeElement);
    if (!items.length) return;
    const first = items[0];
    const last = items[items.length - 1];
    const active = root.activeElement;
    if (event.shiftKey && (active === first || !dialog.contains(active))) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (active === last || !dialog.contains(active))) {
      event.preventDefault();
      first.focus();
    }
  });
  const setSupport = (link) => {
    supportRow.replaceChildren();
    if (link) supportRow.append(link);
  };
  setSupport(support);
  root.append(dialog);
  dialog.showModal();
  const setTitle = (text) => {
    heading.textContent = text;
  };
  return { dialog, body, actions, close, setSupport, setTitle, focusFirst: () => focusFirst(dialog, closeButton) };
}

function focusFirst(dialog, fallback) {
  const target = dialog.querySelector(".overlay__body input, .overlay__body select, .overlay__body textarea, .overlay__body button, .overlay__body a[href]");
  (target || fallback).focus();
}

// --- forms ------------------------------------------------------------------------------------

/**
 * A form from a section description (``sections.py``): fieldsets of fields with labels,
 * help and error text tied to each input by ``aria-describedby``.
 */
export function renderForm(section, { idPrefix = uid("form") } = {}) {
  const inputs = new Map();
  const errors = new Map();
  const summary = h("div", { class: "hidden", role: "alert" });
  const form = h("form", { novalidate: true, "aria-label": section.title || null }, summary);
  for (const group of section.groups || []) {
    const container = group.legend ? h("fieldset", {}, h("legend", {}, group.legend)) : h("div", { class: "group" });
    if (group.description) container.append(h("p", { class: "group__description" }, group.description));
    const grid = h("div", { class: "fields" });
    for (const field of group.fields) {
      const built = renderField(field, idPrefix);
      inputs.set(field.name, built.input);
      errors.set(field.name, built.error);
      grid.append(built.wrapper);
    }
    container.append(grid);
    form.append(container);
  }

  const values = () => {
    const collected = {};
    for (const [name, input] of inputs) {
      if (input.type === "file") continue;
      collected[name] = input.type === "checkbox" ? input.checked : input.value;
    }
    return collected;
  };

  // Chosen files by field name (file fields only; sent as multipart beside the values).
  const files = () => {
    const chosen = {};
    for (const [name, input] of inputs) if (input.type === "file" && input.files && input.files[0]) chosen[name] = input.files[0];
    return chosen;
  };

  const clearErrors = () => {
    summary.className = "hidden";
    summary.replaceChildren();
    for (const [name, input] of inputs) setFieldError(input, errors.get(name), "");
  };

  const showErrors = (message, fields) => {
    clearErrors();
    let first = null;
    for (const [name, text] of Object.entries(fields || {})) {
      const input = inputs.get(name);
      if (!input) continue;
      setFieldError(input, errors.get(name), text);
      first = first || input;
    }
    const unmatched = Object.entries(fields || {}).filter(([name]) => !inputs.has(name));
    if (message || unmatched.length) {
      summary.className = "alert alert--error";
      summary.append(h("div", { class: "alert__body" }, h("p", {}, message || "Check the form."), ...unmatched.map(([, text]) => h("p", {}, text))));
    }
    (first || summary).focus?.();
    if (!first) summary.scrollIntoView?.({ block: "nearest" });
  };

  return { form, values, files, showErrors, clearErrors, inputs };
}

function setFieldError(input, errorElement, text) {
  const described = (input.getAttribute("aria-describedby") || "").split(" ").filter((id) => id && id !== errorElement.id);
  if (text) {
    errorElement.textContent = text;
    errorElement.hidden = false;
    input.setAttribute("aria-invalid", "true");
    described.push(errorElement.id);
  } else {
    errorElement.textContent = "";
    errorElement.hidden = true;
    input.removeAttribute("aria-invalid");
  }
  if (described.length) input.setAttribute("aria-describedby", described.join(" "));
  else input.removeAttribute("aria-describedby");
}

function renderField(field, idPrefix) {
  const id = `${idPrefix}-${field.name}`;
  const helpId = `${id}-help`;
  const errorId = `${id}-error`;
  const error = h("p", { class: "field__error", id: errorId, hidden: true });
  const help = field.help ? h("p", { class: "field__help", id: helpId }, field.help) : null;
  const common = {
    id,
    name: field.name,
    required: field.required || null,
    "aria-required": field.required ? "true" : null,
    autocomplete: field.autocomplete || null,
    "aria-describedby": help ? helpId : null,
  };
  let input;
  if (field.type === "checkbox") {
    input = h("input", { ...common, type: "checkbox", checked: field.value === true || field.value === "true" || null });
    const wrapper = h(
      "div",
      { class: "field field--checkbox", dataset: { field: field.name } },
      input,
      h("div", { class: "field__text" }, h("label", { for: id }, field.label), help, error),
    );
    return { wrapper, input, error };
  }
  if (field.type === "select") {
    input = h("select", common, h("option", { value: "" }, "Choose…"));
    for (const option of field.options || []) {
      input.append(h("option", { value: option.value, selected: option.value === field.value || null }, option.label));
    }
  } else if (field.type === "file") {
    input = h("input", { ...common, type: "file", accept: field.accept || null });
    input.addEventListener("change", () => {
      const file = input.files && input.files[0];
      if (file && file.size > 10 * 1024 * 1024) {
        setFieldError(input, error, "This file is larger than 10 MB. Choose a smaller one.");
        input.value = "";
      } else {
        setFieldError(input, error, "");
      }
    });
  } else if (field.type === "textarea") {
    input = h("textarea", { ...common, maxlength: field.maxlength, rows: 3 });
    input.value = field.value || "";
  } else {
    const type = { email: "email", tel: "tel", url: "url", date: "date" }[field.type] || "text";
    input = h("input", { ...common, type, maxlength: type === "date" ? null : field.maxlength, inputmode: field.inputmode || null, spellcheck: type === "text" ? null : "false" });
    input.value = field.value || "";
  }
  const label = h("label", { for: id }, field.label, field.required ? null : h("span", { class: "field__optional" }, " (optional)"));
  const wrapper = h("div", { class: `field field--${field.width || "full"}`, dataset: { field: field.name } }, label, input, help, error);
  return { wrapper, input, error };
}

/** ``<dl>`` rows for a section's summary. */
export function summaryRows(rows) {
  const list = h("dl", { class: "rows" });
  for (const row of rows || []) list.append(h("dt", {}, row.label), h("dd", {}, row.value));
  return list;
}

export function formatDate(unix, locale) {
  try {
    return new Intl.DateTimeFormat(locale || undefined, { month: "short", day: "numeric", year: "numeric" }).format(new Date(unix * 1000));
  } catch {
    return new Date(unix * 1000).toDateString();
  }
}
