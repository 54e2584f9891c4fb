// 对接会 page: make shortlists, start the background schedule job and follow it, then show the new grid.
"use strict";

(() => {
  const root = document.getElementById("event");
  if (!root || !window.matcher) return;
  const code = root.dataset.eventCode;
  const api = `/api/events/${encodeURIComponent(code)}`;

  const shortlistButton = document.getElementById("make-shortlists");
  const shortlistStatus = document.getElementById("shortlists-status");
  shortlistButton.addEventListener("click", async () => {
    shortlistButton.disabled = true;
    shortlistStatus.textContent = "正在评分并生成推荐名单…";
    try {
      await matcher.api(`${api}/shortlists`, { method: "POST" });
      location.hash = "shortlists";
      location.reload();
    } catch (err) {
      shortlistStatus.textContent = `生成失败：${err.message}`;
      shortlistButton.disabled = false;
    }
  });

  const form = document.getElementById("schedule-form");
  const box = document.getElementById("schedule-progress");
  const bar = box.querySelector(".progress > span");
  const label = box.querySelector("[data-testid=schedule-label]");
  const error = document.getElementById("schedule-error");

  /** Replace the schedule part of the page with the server's fresh rendering (grid, stats, downloads). */
  async function refreshResult() {
    const response = await fetch(location.pathname, { credentials: "same-origin" });
    const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
    const part = fresh.getElementById("schedule-result");
    if (part) document.getElementById("schedule-result").replaceWith(part);
  }

  /** Show the progress of a job (started here or found running) until it ends, then the new schedule. */
  async function follow(start) {
    let cancel = null;
    const button = form.querySelector("button");
    button.disabled = true;
    error.hidden = true;
    box.hidden = false;
    box.dataset.state = "queued";
    bar.style.width = "0%";
    label.textContent = "正在提交排程任务…";
    try {
      const started = await start();
      box.dataset.state = "running";
      cancel = matcher.cancelButton(started.id);
      box.append(cancel);
      const job = await matcher.follow(started.status_url || `/api/jobs/${started.id}`, bar, label);
      box.dataset.state = job.state;
      if (job.state === "failed" || job.state === "cancelled") throw new Error(job.error || job.message || "排程失败");
      bar.style.width = "100%";
      label.textContent = `${job.message || "排程完成"}，正在显示新排程…`;
      await refreshResult();
      label.textContent = job.message || "排程完成";
    } catch (err) {
      box.dataset.state = "failed";
      error.textContent = `排程未完成：${err.message}`;
      error.hidden = false;
    } finally {
      if (cancel) cancel.remove();
      button.disabled = false;
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const seconds = Number(form.elements.time_limit.value) || 20;
    follow(() => matcher.api("/api/jobs/schedule", { method: "POST", body: { event: code, time_limit: seconds } }));
  });

  // Back on the page while this event's schedule job still runs (e.g. after a reload): keep following it.
  matcher
    .api("/api/jobs?kind=schedule&limit=20")
    .then((page) => {
      const running = (page.data || []).find(
        (j) => j.params && j.params.event === code && (j.state === "queued" || j.state === "running"),
      );
      if (running) follow(async () => running);
    })
    .catch(() => {});
})();
