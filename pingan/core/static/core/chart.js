/* Ping'an chart component: ECharts with the platform's palette.
 *   Pingan.chart("chart-id", option)            an ECharts option object
 *   Pingan.chartFromUrl("chart-id", url, build) fetch JSON, then build(data) → option
 */
(function () {
  // The series colours, in this order, from palette.css (the choices' palette).
  const COLOURS = ["blue", "red", "orange", "green", "yellow", "purple", "teal", "grey"].map(
    (n) => getComputedStyle(document.documentElement).getPropertyValue("--" + n).trim());
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
