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

  // The server's view of the idle clock: another tab may have kept the session alive.
  // Resolves to milliseconds left (0 when signed out), or null when the server cannot be asked.
  const remainingOnServer = async () => {
    try {
      const response = await fetch(dialog.dataset.statusUrl, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        cache: "no-store",
      });
      const json = (response.headers.get("content-type") || "").includes("json");
      if (!response.ok || !json) return 0;
      return (await response.json()).remaining_seconds * 1000;
    } catch {
      return null;
    }
  };

  const schedule = (ms = idle) => {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    clearInterval(tickTimer);
    deadline = Date.now() + ms;
    warnTimer = setTimeout(warn, Math.max(0, ms - warning));
    endTimer = setTimeout(expire, ms);
  };

  const resumeIfAlive = (remaining, atLeast) => {
    if (remaining === null || remaining <= atLeast) return false;
    if (dialog.open) dialog.close();
    schedule(remaining);
    return true;
  };

  const expire = async () => {
    if (resumeIfAlive(await remainingOnServer(), 1000)) return;
    keepDrafts();
    window.location.assign(dialog.dataset.expiredUrl);
  };

  const warn = async () => {
    if (resumeIfAlive(await remainingOnServer(), warning + 5000)) return;
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
