// 分值设置: the live total as the admin types; the server checks it again on save.
document.addEventListener("DOMContentLoaded", () => {
  const inputs = document.querySelectorAll(".weights-table input");
  const out = document.getElementById("weights-total");
  if (!out) return;
  function update() {
    let total = 0;
    inputs.forEach((input) => {
      const value = parseFloat(input.value);
      if (!Number.isNaN(value)) total += value;
    });
    const ok = Math.abs(total - 100) < 0.001;
    out.textContent = (ok ? "✓ " : "✗ ") + total.toFixed(2);
    out.className = "text-end text-nowrap " + (ok ? "status-green" : "status-red fw-bold");
  }
  inputs.forEach((input) => input.addEventListener("input", update));
  update();
});
