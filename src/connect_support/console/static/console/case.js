// The console's case view: macros inserted where the cursor is, the draft reply kept in
// this browser (a reload or a live refresh never loses it), a notice when someone else
// changes the case, and one submit per click.
const page = document.querySelector(".case-page");

function setupMacros(body) {
  const picker = document.getElementById("macro-pick");
  const note = document.getElementById("macro-note");
  if (!picker || !body) return;
  picker.addEventListener("submit", async (event) => {
    event.preventDefault();
    const id = picker.querySelector("select").value;
    const response = await fetch(page.dataset.macroUrl + encodeURIComponent(id) + "/", {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok || typeof data.text !== "string") {
      note.textContent = (data.error && data.error.message) || "The macro could not be inserted.";
      return;
    }
    const start = body.selectionStart ?? body.value.length;
    const end = body.selectionEnd ?? body.value.length;
    body.value = body.value.slice(0, start) + data.text + body.value.slice(end);
    body.dispatchEvent(new Event("input"));
    body.focus();
    body.setSelectionRange(start + data.text.length, start + data.text.length);
    const left = [...(data.missing || []), ...(data.unknown || [])];
    note.textContent = left.length
      ? "Macro inserted. Fill in by hand: " + left.map((name) => "{{ " + name + " }}").join(", ")
      : "Macro inserted.";
  });
}

function setupDraft(form, body) {
  if (!form || !body) return;
  const key = form.dataset.draftKey;
  let stored = null;
  try {
    stored = window.localStorage.getItem(key);
  } catch (_error) {
    return; // storage disabled: nothing to keep
  }
  if (stored && !body.value.trim()) {
    body.value = stored;
    const note = document.getElementById("macro-note");
    if (note) note.textContent = "Your unsent draft was restored.";
  }
  body.addEventListener("input", () => {
    try {
      if (body.value.trim()) window.localStorage.setItem(key, body.value);
      else window.localStorage.removeItem(key);
    } catch (_error) {
      /* storage full or disabled: the text stays in the box */
    }
  });
  form.addEventListener("submit", () => {
    try {
      window.localStorage.removeItem(key);
    } catch (_error) {
      /* nothing kept, nothing to remove */
    }
  });
}

function setupKind(form) {
  if (!form) return;
  const submit = form.querySelector("#reply-submit");
  const update = () => {
    const checked = form.querySelector('input[name="kind"]:checked');
    const kind = checked ? checked.value : "reply";
    form.querySelectorAll(".reply-status").forEach((block) => {
      block.hidden = block.dataset.for !== (kind === "note" ? "note" : "reply");
    });
    form.classList.toggle("reply-form--note", kind === "note");
    if (submit) submit.textContent = kind === "note" ? "Add internal note" : "Send reply";
  };
  form.querySelectorAll('input[name="kind"]').forEach((radio) => radio.addEventListener("change", update));
  update();
}

function setupOneSubmit() {
  document.querySelectorAll(".case-page form[method='post']").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (form.dataset.sent === "1") {
        event.preventDefault();
        return;
      }
      form.dataset.sent = "1";
      form.querySelectorAll("button[type='submit']").forEach((button) => button.setAttribute("aria-disabled", "true"));
    });
  });
}

function setupLiveNotice() {
  const notice = document.getElementById("case-live");
  const seen = Number(page.dataset.caseVersion);
  if (!notice || !page.dataset.versionUrl) return;
  const check = async () => {
    if (document.hidden) return;
    try {
      const response = await fetch(page.dataset.versionUrl, { credentials: "same-origin" });
      if (!response.ok) return;
      const data = await response.json();
      if (Number(data.version) > seen) {
        notice.hidden = false;
        window.clearInterval(timer);
      }
    } catch (_error) {
      /* offline for a moment: try again on the next tick */
    }
  };
  const timer = window.setInterval(check, Number(page.dataset.pollMs || 15000));
  document.addEventListener("visibilitychange", check);
}

function paintSwatches() {
  document.querySelectorAll(".brand-swatch[data-color]").forEach((swatch) => {
    if (/^#[0-9a-fA-F]{6}$/.test(swatch.dataset.color)) swatch.style.backgroundColor = swatch.dataset.color;
  });
}

if (page) {
  const form = document.getElementById("reply-form");
  const body = form ? form.querySelector("textarea[name='body']") : null;
  setupMacros(body);
  setupDraft(form, body);
  setupKind(form);
  setupOneSubmit();
  setupLiveNotice();
  paintSwatches();
}
