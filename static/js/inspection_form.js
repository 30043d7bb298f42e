// 录入督查: "再加一个问题" adds a blank finding row from the <template>, and counts it in the formset.
document.addEventListener("DOMContentLoaded", () => {
  const button = document.querySelector("[data-add-finding]");
  const template = document.getElementById("finding-template");
  const rows = document.querySelector("[data-findings]");
  const total = document.getElementById("id_findings-TOTAL_FORMS");
  if (!button || !template || !rows || !total) return;
  button.addEventListener("click", () => {
    const index = Number(total.value);
    const html = template.innerHTML.replaceAll("__prefix__", String(index)).replaceAll("__number__", String(index + 1));
    rows.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    const first = rows.lastElementChild && rows.lastElementChild.querySelector("select");
    if (first) first.focus();
  });
});
