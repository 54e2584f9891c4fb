// 产业链图谱 and 梯度培育 pages: switch park on selection, run the park's tier assessment.
"use strict";

document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
  select.addEventListener("change", () => select.form.submit());
});

const assessButton = document.getElementById("run-assessment");
if (assessButton) {
  assessButton.addEventListener("click", async () => {
    const park = assessButton.dataset.park;
    const status = document.getElementById("assess-status");
    const question = `确定按当前数据重新评估园区“${park}”的全部企业并保存结果吗？同一天重复评估会覆盖当天的结果。`;
    if (!window.confirm(question)) return;
    assessButton.disabled = true;
    status.hidden = false;
    status.className = "muted";
    status.textContent = "正在评估，请稍候……";
    try {
      const run = await matcher.api(`/api/tiers/assess?park=${encodeURIComponent(park)}`, { method: "POST" });
      status.textContent = `评估完成：共 ${run.count} 家企业（新增 ${run.created} 条、更新 ${run.updated} 条记录），正在刷新……`;
      window.location.reload();
    } catch (error) {
      status.className = "error";
      status.textContent = `评估失败：${error.message}`;
      assessButton.disabled = false;
    }
  });
}
