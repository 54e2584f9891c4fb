// 数据导入导出: start an import or an index rebuild as a background job, follow its progress bar, show the
// result (counts, or the row-numbered problems of a refused file) and keep the recent-jobs table fresh.
"use strict";

(() => {
  const KINDS = { parks: "园区", enterprises: "企业", demands: "需求" };
  const byId = (id) => document.getElementById(id);

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function panel(prefix) {
    return {
      box: byId(`${prefix}-progress`),
      bar: byId(`${prefix}-bar`),
      label: byId(`${prefix}-label`),
      percent: byId(`${prefix}-percent`),
      result: byId(`${prefix}-result`),
    };
  }

  /** Mirror the bar's width (moved by matcher.follow) into the percentage text and aria-valuenow. */
  function mirror(p) {
    const show = () => {
      const pct = parseInt(p.bar.style.width, 10) || 0;
      p.percent.textContent = `${pct}%`;
      p.bar.parentElement.setAttribute("aria-valuenow", String(pct));
    };
    new MutationObserver(show).observe(p.bar, { attributes: true, attributeFilter: ["style"] });
    return show;
  }

  function reset(p, text) {
    p.result.hidden = true;
    p.result.replaceChildren();
    p.box.hidden = false;
    p.box.classList.remove("failed", "done");
    p.bar.style.width = "0%";
    p.label.textContent = text;
  }

  function countsTable(counts) {
    const table = el("table", undefined, "counts");
    const head = el("tr");
    ["数据", "新增", "更新"].forEach((h) => head.append(el("th", h)));
    table.append(el("thead"), el("tbody"));
    table.tHead.append(head);
    Object.entries(counts).forEach(([kind, c]) => {
      const row = el("tr");
      row.dataset.kind = kind;
      row.append(el("td", KINDS[kind] || kind), el("td", String(c.created), "num"), el("td", String(c.updated), "num"));
      table.tBodies[0].append(row);
    });
    return table;
  }

  /** Which platform column each header of the file was read as: the renamed ones listed, the rest counted. */
  function mappingTables(mappings) {
    return Object.entries(mappings).map(([kind, pairs]) => {
      const box = el("div", undefined, "mapping");
      box.dataset.testid = "import-mapping";
      const renamed = Object.entries(pairs).filter(([header, column]) => header !== column);
      const same = Object.keys(pairs).length - renamed.length;
      box.append(el("p", `${KINDS[kind] || kind}表：${renamed.length} 列按别名对应，${same} 列与平台列名一致`));
      if (renamed.length) {
        const table = el("table", undefined, "counts");
        table.append(el("thead"), el("tbody"));
        const head = el("tr");
        ["文件中的列", "读作平台的列"].forEach((h) => head.append(el("th", h)));
        table.tHead.append(head);
        renamed.forEach(([header, column]) => {
          const row = el("tr");
          row.append(el("td", header), el("td", column));
          table.tBodies[0].append(row);
        });
        box.append(table);
      }
      return box;
    });
  }

  function showFailure(p, message, problems) {
    p.box.classList.add("failed");
    p.result.append(el("p", message, "error"));
    if (problems.length) {
      const list = el("ol", undefined, "problems");
      problems.forEach((text) => list.append(el("li", text)));
      p.result.append(list);
    }
    p.result.hidden = false;
  }

  function showJob(p, job) {
    if (job.state === "cancelled") {
      showFailure(p, job.message || "任务已取消", []);
      return;
    }
    if (job.state === "failed") {
      showFailure(p, job.error || "任务失败", job.problems || []);
      return;
    }
    p.box.classList.add("done");
    p.result.append(el("p", job.message, "ok"));
    if (job.result && job.result.mappings) p.result.append(...mappingTables(job.result.mappings));
    if (job.result && job.result.counts && !job.result.dry_run) p.result.append(countsTable(job.result.counts));
    p.result.hidden = false;
  }

  async function run(p, button, start) {
    let cancel = null;
    button.disabled = true;
    reset(p, "正在提交……");
    try {
      const job = await start();
      cancel = matcher.cancelButton(job.id);
      p.box.append(cancel);
      showJob(p, await matcher.follow(job.status_url, p.bar, p.label, 300));
    } catch (error) {
      showFailure(p, error.message, (error.data && error.data.problems) || []);
    } finally {
      if (cancel) cancel.remove();
      button.disabled = false;
      refreshJobs();
    }
  }

  function jobRow(job) {
    const row = el("tr");
    row.dataset.state = job.state;
    const name = job.params.filename || job.params.event || "";
    // "sv-SE" formats as YYYY-MM-DD HH:MM:SS, the same as the page renders on the server
    const when = (iso) => (iso ? new Date(iso).toLocaleString("sv-SE", { timeZone: "Asia/Shanghai" }) : "");
    const state = el("td");
    state.append(el("span", job.state_label, `job-state ${job.state}`));
    row.append(
      el("td", String(job.id), "num"),
      el("td", name ? `${job.kind_label}（${name}）` : job.kind_label),
      state,
      el("td", `${Math.round(job.progress * 100)}%`, "num"),
      el("td", job.error || job.message),
      el("td", when(job.created_at), "nowrap"),
      el("td", when(job.finished_at), "nowrap"),
    );
    const action = el("td");
    if (job.state === "queued" || job.state === "running") action.append(matcher.cancelButton(job.id));
    row.append(action);
    return row;
  }

  let refreshing = null;
  async function refreshJobs() {
    clearTimeout(refreshing);
    try {
      const page = await matcher.api("/api/jobs?limit=15");
      const rows = page.data.map(jobRow);
      byId("job-rows").replaceChildren(...rows);
      if (page.data.some((j) => j.state === "queued" || j.state === "running")) refreshing = setTimeout(refreshJobs, 2000);
    } catch (error) {
      /* the table keeps its last content; the next action refreshes it again */
    }
  }

  const importPanel = panel("import");
  const indexPanel = panel("index");
  [importPanel, indexPanel].forEach(mirror);

  const form = byId("import-form");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    run(importPanel, button, () => matcher.api("/api/jobs/imports", { method: "POST", body: new FormData(form) }));
  });

  const indexButton = byId("index-button");
  indexButton.addEventListener("click", () => {
    run(indexPanel, indexButton, () => matcher.api("/api/jobs/index", { method: "POST" }));
  });

  // the server renders the cancel buttons of active jobs; give them their behaviour
  document.querySelectorAll("#job-rows button[data-cancel]").forEach((b) => b.replaceWith(matcher.cancelButton(Number(b.dataset.cancel))));
  if (document.querySelector("#job-rows tr[data-state=queued], #job-rows tr[data-state=running]")) refreshJobs();
})();
