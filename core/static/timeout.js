// Warn before the idle sign-out, so a practitioner in the middle of a long form can stay signed
// in instead of losing their work. "Stay signed in" tells the server, which restarts its clock.
import { keepDrafts } from "./drafts.js";

const dialog = document.getElementById("app-timeout");

if (dialog && typeof dialog.showModal === "function") {
  const idle = Number(dialog.dataset.idleSeconds) * 1000;
  const warning = Math.min(Number(dialog.dataset.warningSeconds) * 1000, idle - 1000);
  const countdown = dialog.querySelector(".app-timeout__countdown");
  let warnTimer, endTimer, tickTimer, deadline;

  const describe = (ms) => {
    const seconds = Math.max(0, Math.round(ms / 1000));
    if (seconds >= 60) {
      const minutes = Math.ceil(seconds / 60);
      return `${minutes} minute${minutes === 1 ? "" : "s"}`;
    }
    return `${seconds} second${seconds === 1 ? "" : "s"}`;
  };

  const schedule = () => {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    clearInterval(tickTimer);
    deadline = Date.now() + idle;
    warnTimer = setTimeout(warn, idle - warning);
    endTimer = setTimeout(expire, idle);
  };

  const expire = () => {
    keepDrafts();
    window.location.assign(dialog.dataset.expiredUrl);
  };

  const warn = () => {
    countdown.textContent = describe(deadline - Date.now());
    // Update the words only every 15 seconds, so a screen reader is not flooded.
    tickTimer = setInterval(() => {
      countdown.textContent = describe(deadline - Date.now());
    }, 15000);
    dialog.showModal();
    dialog.querySelector(".app-timeout__stay").focus();
  };

  const stay = async () => {
    try {
      const response = await fetch(dialog.dataset.extendUrl, {
        method: "POST",
        headers: { "X-CSRFToken": dialog.dataset.csrfToken, Accept: "application/json" },
        credentials: "same-origin",
      });
      // Signed out already (another tab, an administrator): the answer is the sign-in page.
      const json = (response.headers.get("content-type") || "").includes("json");
      if (!response.ok || !json) throw new Error(String(response.status));
      dialog.close();
      schedule();
    } catch {
      expire();
    }
  };

  dialog.querySelector(".app-timeout__stay").addEventListener("click", stay);
  // Escape closes a modal dialog: treat it as "stay signed in", never as a silent dismissal.
  dialog.addEventListener("cancel", (event) => {
    event.preventDefault();
    stay();
  });
  schedule();
}
