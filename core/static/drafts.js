// Nothing typed is lost when a session ends under someone: what they had typed into a form is
// kept in this browser tab (sessionStorage: this tab only, gone when it closes) when the idle
// timeout signs them out, or when they send a form after their session has already ended, and is
// put back when the same person signs in again and returns to that page.
// Never kept: passwords, hidden fields (CSRF tokens, versions), files. Signing out clears it all.

const KEY = "app-drafts";
const MAX_AGE_MS = 12 * 60 * 60 * 1000;
const SKIPPED_TYPES = new Set(["hidden", "password", "file", "submit", "button", "reset", "image"]);
const user = document.body.dataset.user || "";
const here = () => window.location.pathname + window.location.search;

const load = () => {
  try {
    const drafts = JSON.parse(window.sessionStorage.getItem(KEY) || "[]");
    return Array.isArray(drafts) ? drafts.filter((d) => Date.now() - d.at < MAX_AGE_MS) : [];
  } catch {
    return [];
  }
};

const store = (drafts) => {
  try {
    if (drafts.length) window.sessionStorage.setItem(KEY, JSON.stringify(drafts));
    else window.sessionStorage.removeItem(KEY);
  } catch {
    // Storage full or switched off: nothing more can be done, and nothing breaks.
  }
};

const keepable = (form) =>
  form.method.toLowerCase() === "post" && !form.hasAttribute("data-no-draft");

const fields = (form) =>
  [...form.elements].filter(
    (el) => el.name && !el.disabled && !SKIPPED_TYPES.has((el.type || "").toLowerCase()),
  );

const typedInto = (form) =>
  fields(form).some((el) => {
    if (el.type === "checkbox" || el.type === "radio") return el.checked !== el.defaultChecked;
    if (el.tagName === "SELECT") return [...el.options].some((o) => o.selected !== o.defaultSelected);
    return el.value !== el.defaultValue;
  });

const snapshot = (form) =>
  fields(form).map((el) => {
    if (el.type === "checkbox" || el.type === "radio") return [el.name, el.value, el.checked];
    if (el.tagName === "SELECT") return [el.name, [...el.selectedOptions].map((o) => o.value), null];
    return [el.name, el.value, null];
  });

const formsHere = () => [...document.forms].filter(keepable);

// A page shown again with errors holds what the person typed as its defaults.
const worthKeeping = (form) => typedInto(form) || Boolean(document.querySelector(".govuk-error-summary"));

/** Keep every form on this page that has something typed into it. */
export function keepDrafts(state = "kept") {
  if (!user) return;
  const path = here();
  const drafts = load().filter((d) => d.path !== path);
  formsHere().forEach((form, index) => {
    if (worthKeeping(form)) {
      drafts.push({ user, path, index, state, at: Date.now(), fields: snapshot(form) });
    }
  });
  store(drafts);
}

const restore = (form, saved) => {
  const queues = new Map();
  for (const [name, value, checked] of saved) {
    if (!queues.has(name)) queues.set(name, []);
    queues.get(name).push([value, checked]);
  }
  const used = new Map();
  for (const el of fields(form)) {
    const queue = queues.get(el.name);
    if (!queue) continue;
    if (el.type === "checkbox" || el.type === "radio") {
      const match = queue.find(([value]) => value === el.value);
      el.checked = Boolean(match && match[1]);
    } else if (el.tagName === "SELECT") {
      const wanted = new Set([].concat(queue[0][0]));
      for (const option of el.options) option.selected = wanted.has(option.value);
    } else {
      // Several inputs may share a name (a date's day, month and year): fill them in order.
      const n = used.get(el.name) || 0;
      if (n < queue.length) el.value = queue[n][0];
      used.set(el.name, n + 1);
    }
  }
};

const announce = () => {
  const main = document.querySelector("main");
  if (!main) return;
  const banner = document.createElement("div");
  banner.className = "govuk-notification-banner";
  banner.setAttribute("role", "region");
  banner.setAttribute("aria-labelledby", "app-draft-title");
  banner.tabIndex = -1;
  banner.id = "app-draft-restored";
  banner.innerHTML =
    '<div class="govuk-notification-banner__header"><h2 class="govuk-notification-banner__title" id="app-draft-title">Important</h2></div>' +
    '<div class="govuk-notification-banner__content"><p class="govuk-notification-banner__heading">' +
    "What you typed before you were signed out has been put back. Check it, then save it.</p></div>";
  main.prepend(banner);
  banner.focus();
};

const onLoad = () => {
  let drafts = load();
  if (!user) {
    // Signed out: a form sent just now did not reach a signed-in session (this is the sign-in
    // page, or the form was refused), so keep it for when its author signs in again.
    drafts = drafts.map((d) => (d.state === "sent" ? { ...d, state: "kept" } : d));
    if (drafts.some((d) => d.state === "kept")) {
      document.querySelectorAll("[data-drafts-kept]").forEach((el) => el.removeAttribute("hidden"));
    }
    store(drafts);
    return;
  }
  // Signed in: a form sent while signed in reached the server, which saved it or showed it again
  // with its errors. Another person's drafts in this tab are never shown to this one.
  drafts = drafts.filter((d) => d.user === user && d.state === "kept");
  const path = here();
  const mine = drafts.filter((d) => d.path === path);
  const forms = formsHere();
  let restored = false;
  for (const draft of mine) {
    const form = forms[draft.index];
    if (form) {
      restore(form, draft.fields);
      restored = true;
    }
  }
  store(drafts.filter((d) => d.path !== path));
  if (restored) announce();
};

document.addEventListener(
  "submit",
  (event) => {
    const form = event.target;
    if (form.hasAttribute("data-sign-out")) {
      store([]);
      return;
    }
    if (!user || !keepable(form) || !worthKeeping(form)) return;
    const forms = formsHere();
    const drafts = load().filter((d) => d.path !== here());
    drafts.push({
      user,
      path: here(),
      index: forms.indexOf(form),
      state: "sent",
      at: Date.now(),
      fields: snapshot(form),
    });
    store(drafts);
  },
  true,
);

onLoad();
