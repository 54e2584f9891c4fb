// matcher web: a light touch of JavaScript. Pages work without it; journey pages use these helpers.
"use strict";

const matcher = {
  /** Call the JSON API with the page's session cookie; writes carry the anti-forgery header. */
  async api(path, options = {}) {
    const headers = { "X-Requested-With": "matcher-web", Accept: "application/json", ...(options.headers || {}) };
    let body = options.body;
    if (body !== undefined && !(body instanceof FormData) && typeof body !== "string") {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(body);
    }
    const response = await fetch(path, { ...options, headers, body, credentials: "same-origin" });
    const data = response.status === 204 ? null : await response.json().catch(() => null);
    if (!response.ok) {
      const message = (data && data.message) || `请求失败（${response.status}）`;
      throw Object.assign(new Error(message), { status: response.status, data });
    }
    return data;
  },

  /** Poll a background job's status URL and move a .progress bar until it finishes. */
  /** Ask the server to cancel job ``id`` (its owner or a platform admin); the job stops at its next step. */
  cancelJob(id) {
    return matcher.api(`/api/jobs/${id}/cancel`, { method: "POST" });
  },

  /** A "取消任务" button for job ``id``; it disables itself once pressed. */
  cancelButton(id) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "small-button";
    button.dataset.cancel = String(id);
    button.textContent = "取消任务";
    button.addEventListener("click", async () => {
      button.disabled = true;
      button.textContent = "正在取消…";
      try {
        await matcher.cancelJob(id);
      } catch (error) {
        button.textContent = `无法取消：${error.message}`;
      }
    });
    return button;
  },

  async follow(statusUrl, bar, label, intervalMs = 1000) {
    for (;;) {
      const job = await matcher.api(statusUrl);
      const pct = Math.round((job.progress || 0) * 100);
      if (bar) bar.style.width = `${pct}%`;
      if (label) label.textContent = job.message || `${pct}%`;
      if (job.state === "done" || job.state === "failed" || job.state === "cancelled") return job;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  },
};
window.matcher = matcher;

// On a phone, tables are shown as cards: each cell gets its column's header as a label (see app.css).
function labelCells(root) {
  root.querySelectorAll("table").forEach((table) => {
    const heads = [...table.querySelectorAll("thead th")].map((th) => th.textContent.trim());
    if (!heads.length) return;
    table.querySelectorAll("tbody tr").forEach((row) => {
      [...row.children].forEach((cell, i) => {
        if (heads[i] && !cell.dataset.label) cell.dataset.label = heads[i];
      });
    });
  });
}
document.addEventListener("DOMContentLoaded", () => {
  labelCells(document);
  new MutationObserver(() => labelCells(document)).observe(document.body, { childList: true, subtree: true });
});
