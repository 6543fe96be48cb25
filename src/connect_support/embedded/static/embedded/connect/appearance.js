// Appearance: the platform's variables as custom properties, set through the CSSOM (never
// as text) so that a value cannot break out of its declaration.

const VARIABLES = {
  colorPrimary: "--cs-primary",
  colorBackground: "--cs-background",
  colorText: "--cs-text",
  colorDanger: "--cs-danger",
  fontFamily: "--cs-font",
  fontSizeBase: "--cs-font-size",
  spacingUnit: "--cs-space",
  borderRadius: "--cs-radius",
};

export const OVERLAYS = ["dialog", "drawer"];

/** A constructed stylesheet holding ``:host { --cs-…: … }`` for these variables. */
export function appearanceSheet(appearance) {
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(":host {}");
  applyAppearance(sheet, appearance);
  return sheet;
}

export function applyAppearance(sheet, appearance) {
  const style = sheet.cssRules[0].style;
  for (const property of Object.values(VARIABLES)) style.removeProperty(property);
  const variables = (appearance && appearance.variables) || {};
  for (const [name, property] of Object.entries(VARIABLES)) {
    const value = variables[name];
    if (typeof value === "string" && value.length <= 200) style.setProperty(property, value);
    else if (typeof value === "number" && Number.isFinite(value)) style.setProperty(property, `${value}px`);
  }
}

export function overlayKind(appearance) {
  const wanted = appearance && appearance.overlays;
  return OVERLAYS.includes(wanted) ? wanted : "dialog";
}
