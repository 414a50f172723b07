/* Ping'an chart component: ECharts with the platform's palette.
 *   Pingan.chart("chart-id", option)            an ECharts option object
 *   Pingan.chartFromUrl("chart-id", url, build) fetch JSON, then build(data) → option
 */
(function () {
  // The series colours, in this order, from palette.css (the choices' palette).
  const COLOURS = ["blue", "red", "orange", "green", "yellow", "purple", "teal", "grey"].map(
    (n) => getComputedStyle(document.documentElement).getPropertyValue("--" + n).trim());
  // Axis labels are kept inside the chart (containLabel), so a second axis or rotated county names
  // are never clipped; on a narrow screen long category names are rotated and shortened with "…"
  // (the tooltip keeps the whole name).
  function fitAxes(option, narrow) {
    const axes = [].concat(option.xAxis || []);
    axes.forEach(function (axis) {
      if (axis.type !== "category") return;
      axis.axisLabel = Object.assign({interval: 0, hideOverlap: true},
        narrow ? {rotate: 45, width: 72, overflow: "truncate"} : {width: 120, overflow: "truncate"},
        axis.axisLabel || {});
      if (narrow) { axis.axisLabel.rotate = 45; axis.axisLabel.width = 72; }
    });
  }
  function chart(id, option) {
    const el = document.getElementById(id);
    const c = echarts.init(el, null, {renderer: "canvas"});
    fitAxes(option, el.clientWidth < 480);
    const grid = Object.assign({left: 12, right: 12, top: 40, bottom: 8, containLabel: true}, option.grid || {});
    c.setOption(Object.assign({color: COLOURS, tooltip: {trigger: "axis"}}, option, {grid: grid}));
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
