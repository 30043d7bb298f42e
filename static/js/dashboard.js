// The 驾驶舱 charts, drawn with the vendored ECharts from data the page embeds with json_script.
(function () {
  const data = JSON.parse(document.getElementById("dashboard-data").textContent);
  const red = "#b42318", blue = "#14406b", grey = "#98a2b3";
  function chart(id, option) {
    const el = document.getElementById(id);
    if (!el) return;
    const c = echarts.init(el, null, { renderer: "svg" });
    c.setOption(Object.assign({ animation: false, grid: { left: 40, right: 40, top: 50, bottom: 30 },
      tooltip: { trigger: "axis" } }, option));
    window.addEventListener("resize", function () { c.resize(); });
  }
  chart("chart-trend", {
    legend: { top: 0, data: ["事故起数", "死亡人数"] },
    xAxis: { type: "category", data: data.trend.map(function (r) { return r.label; }) },
    yAxis: [{ type: "value", name: "起" }, { type: "value", name: "人" }],
    series: [
      { name: "事故起数", type: "bar", data: data.trend.map(function (r) { return r.count; }), itemStyle: { color: blue } },
      { name: "死亡人数", type: "line", yAxisIndex: 1, data: data.trend.map(function (r) { return r.deaths; }), itemStyle: { color: red } },
    ],
  });
  chart("chart-months", {
    legend: { top: 0, data: ["本年事故", "上年同期事故", "本年死亡", "上年同期死亡"] },
    xAxis: { type: "category", data: data.months.map(function (r) { return r.month + "月"; }) },
    yAxis: { type: "value" },
    series: [
      { name: "本年事故", type: "bar", data: data.months.map(function (r) { return r.count; }), itemStyle: { color: blue } },
      { name: "上年同期事故", type: "bar", data: data.months.map(function (r) { return r.count_before; }), itemStyle: { color: grey } },
      { name: "本年死亡", type: "line", data: data.months.map(function (r) { return r.deaths; }), itemStyle: { color: red } },
      { name: "上年同期死亡", type: "line", lineStyle: { type: "dashed" }, data: data.months.map(function (r) { return r.deaths_before; }), itemStyle: { color: grey } },
    ],
  });
  data.groups.forEach(function (g, i) {
    chart("chart-group-" + i, {
      grid: { left: 130, right: 40, top: 10, bottom: 20 },
      xAxis: { type: "value", min: 0, max: 110 },
      yAxis: { type: "category", inverse: true, data: g.units },
      // an unranked unit (未签订) is a gap labelled by its note; 缺报 follows the score
      series: [{ type: "bar", itemStyle: { color: blue }, label: { show: true, position: "right" },
        data: g.scores.map(function (score, j) {
          const note = g.notes[j];
          if (score === null) return { value: 0, label: { formatter: note, color: grey } };
          return note ? { value: score, label: { formatter: "{c} " + note } } : score;
        }) }],
    });
  });
})();
