/* Ping'an chart component: ECharts with the platform's palette.
 *   Pingan.chart("chart-id", option)            an ECharts option object
 *   Pingan.chartFromUrl("chart-id", url, build) fetch JSON, then build(data) → option
 */
(function () {
  const COLOURS = ["#1b6ca8", "#d7263d", "#f08a24", "#2e9e5b", "#e2b007", "#7b4fb5", "#138a8a", "#8a8f98"];
  function chart(id, option) {
    const el = document.getElementById(id);
    const c = echarts.init(el, null, {renderer: "canvas"});
    c.setOption(Object.assign({color: COLOURS, tooltip: {trigger: "axis"}, grid: {left: 48, right: 16, top: 36, bottom: 36}}, option));
    window.addEventListener("resize", () => c.resize());
    el.dataset.ready = "1";
    return c;
  }
  function chartFromUrl(id, url, build) {
    return fetch(url, {credentials: "same-origin"}).then(r => r.json()).then(data => chart(id, build(data)));
  }
  window.Pingan = window.Pingan || {};
  window.Pingan.chart = chart;
  window.Pingan.chartFromUrl = chartFromUrl;
})();
