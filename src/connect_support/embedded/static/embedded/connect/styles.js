// The components' styles, adopted into each shadow root as a constructed stylesheet:
// nothing leaks into the platform's page, and the page's CSP needs no 'unsafe-inline'.
// Appearance variables become custom properties on :host (see appearance.js).

export const CSS = `
:host {
  --cs-primary: #4f46e5;
  --cs-background: #ffffff;
  --cs-text: #1a1f36;
  --cs-danger: #b42318;
  --cs-font: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  --cs-font-size: 16px;
  --cs-space: 8px;
  --cs-radius: 8px;
  --cs-secondary-text: color-mix(in srgb, var(--cs-text) 72%, var(--cs-background));
  --cs-border: color-mix(in srgb, var(--cs-text) 16%, var(--cs-background));
  --cs-soft: color-mix(in srgb, var(--cs-text) 4%, var(--cs-background));
  --cs-primary-soft: color-mix(in srgb, var(--cs-primary) 10%, var(--cs-background));
  --cs-primary-ink: color-mix(in srgb, var(--cs-primary) 80%, black);
  --cs-warning: #8a4b00;
  --cs-warning-soft: #fff6e6;
  --cs-success: #0b6b44;
  --cs-success-soft: #e9f7ef;
  --cs-danger-soft: color-mix(in srgb, var(--cs-danger) 8%, var(--cs-background));
  display: block;
  font-family: var(--cs-font);
  font-size: var(--cs-font-size);
  line-height: 1.5;
  color: var(--cs-text);
  text-align: start;
}
:host([hidden]), .hidden { display: none !important; }
*, *::before, *::after { box-sizing: border-box; }
h2, h3, h4, p { margin: 0; }
a { color: var(--cs-primary-ink); }
button, input, select, textarea { font: inherit; color: inherit; }
:focus-visible { outline: 3px solid color-mix(in srgb, var(--cs-primary) 55%, white); outline-offset: 2px; }
.visually-hidden { position: absolute !important; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }

.card { background: var(--cs-background); border: 1px solid var(--cs-border); border-radius: calc(var(--cs-radius) * 1.5); padding: calc(var(--cs-space) * 3); }
.card + .card { margin-top: calc(var(--cs-space) * 2); }
.card__head { display: flex; align-items: flex-start; justify-content: space-between; gap: calc(var(--cs-space) * 2); margin-bottom: calc(var(--cs-space) * 1.5); }
.card__title { font-size: 1.15em; font-weight: 650; letter-spacing: -0.01em; }
.card__lede { color: var(--cs-secondary-text); margin-top: 4px; }
.muted { color: var(--cs-secondary-text); }
.small { font-size: .875em; }

.button { display: inline-flex; align-items: center; justify-content: center; gap: 8px; min-height: 40px; padding: 8px 16px; border-radius: var(--cs-radius); border: 1px solid transparent; background: var(--cs-primary); color: #fff; font-weight: 600; cursor: pointer; text-decoration: none; white-space: nowrap; }
.button:hover { background: var(--cs-primary-ink); }
.button[disabled] { opacity: .6; cursor: progress; }
.button--secondary { background: var(--cs-background); color: var(--cs-text); border-color: var(--cs-border); }
.button--secondary:hover { background: var(--cs-soft); }
.button--small { min-height: 32px; padding: 4px 12px; font-size: .9em; }
.link-button { background: none; border: 0; padding: 0; color: var(--cs-primary-ink); font-weight: 600; cursor: pointer; text-decoration: underline; text-underline-offset: 2px; }

.spinner { display: inline-block; width: 18px; height: 18px; border-radius: 50%; border: 2px solid var(--cs-border); border-top-color: var(--cs-primary); animation: spin .8s linear infinite; vertical-align: middle; }
@keyframes spin { to { transform: rotate(360deg); } }
@media (prefers-reduced-motion: reduce) { .spinner { animation-duration: 3s; } .overlay { animation: none !important; } }
.loading { display: flex; align-items: center; gap: 12px; color: var(--cs-secondary-text); padding: calc(var(--cs-space) * 3); border: 1px solid var(--cs-border); border-radius: calc(var(--cs-radius) * 1.5); background: var(--cs-background); }
.skeleton { height: 12px; border-radius: 6px; background: var(--cs-soft); margin-top: 10px; }

.alert { display: flex; gap: 10px; align-items: flex-start; border-radius: var(--cs-radius); padding: 12px 14px; border: 1px solid; margin-bottom: calc(var(--cs-space) * 2); }
.alert--error { background: var(--cs-danger-soft); border-color: color-mix(in srgb, var(--cs-danger) 35%, var(--cs-background)); color: var(--cs-danger); }
.alert--warning { background: var(--cs-warning-soft); border-color: #f4d29b; color: var(--cs-warning); }
.alert--success { background: var(--cs-success-soft); border-color: #a9dfc0; color: var(--cs-success); }
.alert--info { background: var(--cs-primary-soft); border-color: color-mix(in srgb, var(--cs-primary) 30%, var(--cs-background)); color: var(--cs-text); }
.alert__body { flex: 1; }
.alert__body p + p { margin-top: 4px; }

.badge { display: inline-flex; align-items: center; gap: 6px; border-radius: 999px; padding: 2px 10px; font-size: .8em; font-weight: 600; background: var(--cs-soft); color: var(--cs-secondary-text); white-space: nowrap; }
.badge--danger { background: var(--cs-danger-soft); color: var(--cs-danger); }
.badge--warning { background: var(--cs-warning-soft); color: var(--cs-warning); }
.badge--success { background: var(--cs-success-soft); color: var(--cs-success); }
.badge--info { background: var(--cs-primary-soft); color: var(--cs-primary-ink); }

/* Forms */
form { margin: 0; }
fieldset { border: 0; padding: 0; margin: 0 0 calc(var(--cs-space) * 3); min-width: 0; }
legend { font-weight: 650; padding: 0; margin-bottom: 4px; }
.group__description { color: var(--cs-secondary-text); font-size: .9em; margin-bottom: calc(var(--cs-space) * 1.5); }
.fields { display: grid; grid-template-columns: repeat(6, minmax(0, 1fr)); gap: calc(var(--cs-space) * 2) calc(var(--cs-space) * 1.5); }
.field { grid-column: span 6; display: flex; flex-direction: column; gap: 4px; }
.field--half { grid-column: span 3; }
.field--third { grid-column: span 2; }
@media (max-width: 560px) { .field--half, .field--third { grid-column: span 6; } }
.field label, .field__label { font-weight: 600; font-size: .9em; }
.field__optional { font-weight: 400; color: var(--cs-secondary-text); }
.field input, .field select, .field textarea { width: 100%; min-height: 42px; padding: 8px 12px; border: 1px solid color-mix(in srgb, var(--cs-text) 30%, var(--cs-background)); border-radius: var(--cs-radius); background: var(--cs-background); }
.field textarea { min-height: 88px; resize: vertical; }
.field input:focus, .field select:focus, .field textarea:focus { border-color: var(--cs-primary); outline: 3px solid color-mix(in srgb, var(--cs-primary) 25%, transparent); outline-offset: 0; }
.field [aria-invalid="true"] { border-color: var(--cs-danger); }
.field__help { color: var(--cs-secondary-text); font-size: .85em; }
.field__error { color: var(--cs-danger); font-size: .875em; font-weight: 600; }
.field--checkbox { flex-direction: row; align-items: flex-start; gap: 10px; }
.field--checkbox input { width: 20px; height: 20px; min-height: 0; margin-top: 2px; accent-color: var(--cs-primary); }
.field--checkbox .field__text { display: flex; flex-direction: column; gap: 2px; }

/* Summaries (review, account management) */
.rows { display: grid; grid-template-columns: minmax(120px, 38%) 1fr; gap: 8px 16px; margin: 0; }
.rows dt { color: var(--cs-secondary-text); }
.rows dd { margin: 0; overflow-wrap: anywhere; }

/* Overlays: a centered dialog or a drawer from the side */
.overlay { padding: 0; border: 0; background: transparent; color: var(--cs-text); max-width: none; max-height: none; overflow: visible; font-family: var(--cs-font); font-size: var(--cs-font-size); }
.overlay::backdrop { background: rgba(15, 23, 42, .48); }
.overlay__panel { display: flex; flex-direction: column; background: var(--cs-background); box-shadow: 0 24px 64px rgba(15, 23, 42, .28); }
.overlay--dialog { width: min(640px, calc(100vw - 32px)); margin: auto; animation: rise .18s ease-out; }
.overlay--dialog .overlay__panel { border-radius: calc(var(--cs-radius) * 1.75); max-height: calc(100vh - 48px); }
.overlay--drawer { position: fixed; inset: 0 0 0 auto; margin: 0; width: min(520px, 100vw); height: 100vh; animation: slide .2s ease-out; }
.overlay--drawer .overlay__panel { height: 100%; }
@keyframes rise { from { transform: translateY(12px); opacity: 0; } }
@keyframes slide { from { transform: translateX(40px); opacity: 0; } }
.overlay__header { display: flex; align-items: center; justify-content: space-between; gap: 16px; padding: calc(var(--cs-space) * 2.5) calc(var(--cs-space) * 3); border-bottom: 1px solid var(--cs-border); }
.overlay__title { font-size: 1.2em; font-weight: 650; }
.overlay__eyebrow { font-size: .8em; color: var(--cs-secondary-text); font-weight: 600; text-transform: uppercase; letter-spacing: .04em; }
.overlay__body { padding: calc(var(--cs-space) * 3); overflow-y: auto; flex: 1 1 auto; }
.overlay__footer { border-top: 1px solid var(--cs-border); padding: calc(var(--cs-space) * 2) calc(var(--cs-space) * 3); display: flex; flex-direction: column; gap: 10px; }
.overlay__actions { display: flex; justify-content: flex-end; gap: 10px; flex-wrap: wrap; }
.overlay__support { display: flex; justify-content: flex-end; align-items: center; gap: 6px; font-size: .875em; }
.icon-button { display: inline-grid; place-items: center; width: 36px; height: 36px; border-radius: 50%; border: 0; background: transparent; cursor: pointer; color: var(--cs-secondary-text); font-size: 22px; line-height: 1; }
.icon-button:hover { background: var(--cs-soft); color: var(--cs-text); }

.support-link { display: inline-flex; align-items: center; gap: 6px; font-weight: 600; color: var(--cs-primary-ink); text-decoration: none; }
.support-link:hover { text-decoration: underline; }
.support-link svg { width: 16px; height: 16px; flex: none; }

/* Onboarding */
.steps { list-style: none; padding: 0; margin: calc(var(--cs-space) * 2.5) 0; display: grid; gap: 10px; }
.step { display: flex; align-items: center; gap: 12px; }
.step__mark { width: 24px; height: 24px; border-radius: 50%; display: inline-grid; place-items: center; border: 2px solid var(--cs-border); font-size: 13px; font-weight: 700; color: var(--cs-secondary-text); flex: none; }
.step--complete .step__mark { background: var(--cs-primary); border-color: var(--cs-primary); color: #fff; }
.step--current .step__mark { border-color: var(--cs-primary); color: var(--cs-primary-ink); }
.step--failed .step__mark { border-color: var(--cs-danger); color: var(--cs-danger); }
.progress { height: 4px; border-radius: 4px; background: var(--cs-soft); overflow: hidden; margin-top: 6px; }
.progress__bar { height: 100%; background: var(--cs-primary); transition: width .2s; }
.review { display: grid; gap: calc(var(--cs-space) * 2); margin-bottom: calc(var(--cs-space) * 3); }
.review__section { border: 1px solid var(--cs-border); border-radius: var(--cs-radius); padding: calc(var(--cs-space) * 2); }
.review__head { display: flex; justify-content: space-between; align-items: center; margin-bottom: 8px; gap: 12px; }
.review__title { font-weight: 650; font-size: 1em; }
.auth-step { text-align: center; padding: calc(var(--cs-space) * 2) 0; }
.auth-step__icon { width: 56px; height: 56px; border-radius: 16px; display: inline-grid; place-items: center; background: var(--cs-primary-soft); color: var(--cs-primary-ink); margin-bottom: 12px; }
.auth-step__icon svg { width: 28px; height: 28px; }
.auth-step p { color: var(--cs-secondary-text); max-width: 32em; margin: 8px auto 20px; }
.done { text-align: center; padding: calc(var(--cs-space) * 2) 0; }
.done__icon { width: 56px; height: 56px; border-radius: 50%; display: inline-grid; place-items: center; background: var(--cs-success-soft); color: var(--cs-success); font-size: 28px; margin-bottom: 12px; }

/* Account management */
.sections { display: grid; gap: 0; }
.section { padding: calc(var(--cs-space) * 2.5) 0; border-top: 1px solid var(--cs-border); }
.section:first-child { border-top: 0; padding-top: calc(var(--cs-space) * 1); }
.section__head { display: flex; justify-content: space-between; align-items: center; gap: 12px; margin-bottom: 10px; }
.section__title { font-size: 1.02em; font-weight: 650; }

/* Notification banner */
.banner { border: 1px solid var(--cs-border); border-left: 4px solid var(--cs-warning); border-radius: calc(var(--cs-radius) * 1.5); background: var(--cs-background); }
.banner--danger { border-left-color: var(--cs-danger); }
.banner--review { border-left-color: var(--cs-primary); }
.banner__head { display: flex; gap: 14px; align-items: flex-start; padding: calc(var(--cs-space) * 2) calc(var(--cs-space) * 2.5); }
.banner__icon { width: 32px; height: 32px; border-radius: 50%; display: inline-grid; place-items: center; flex: none; background: var(--cs-warning-soft); color: var(--cs-warning); font-weight: 800; }
.banner--danger .banner__icon { background: var(--cs-danger-soft); color: var(--cs-danger); }
.banner--review .banner__icon { background: var(--cs-primary-soft); color: var(--cs-primary-ink); }
.banner__text { flex: 1; min-width: 0; }
.banner__headline { font-weight: 650; font-size: 1.02em; }
.banner__items { list-style: none; margin: 0; padding: 0 calc(var(--cs-space) * 2.5) calc(var(--cs-space) * 1); }
.item { display: flex; gap: 16px; align-items: center; justify-content: space-between; padding: 12px 0; border-top: 1px solid var(--cs-border); flex-wrap: wrap; }
.item__text { flex: 1 1 280px; min-width: 0; }
.item__title { font-weight: 600; }
.item__meta { display: flex; gap: 8px; flex-wrap: wrap; margin-top: 4px; align-items: center; }
.item__error { color: var(--cs-danger); font-size: .9em; margin-top: 4px; }
.item__actions { display: flex; gap: 12px; align-items: center; }
`;
