// Phone layout of list tables: give every cell its column's name (data-label), which app.css shows
// before the value when the table is stacked into cards on a narrow screen.
(function () {
  function label(table) {
    var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      return th.textContent.trim();
    });
    if (!heads.length) return;
    table.querySelectorAll("tbody tr").forEach(function (tr) {
      Array.prototype.forEach.call(tr.children, function (td, i) {
        if (!td.hasAttribute("data-label") && heads[i] !== undefined) td.setAttribute("data-label", heads[i]);
      });
    });
  }
  function all() { document.querySelectorAll("table.list").forEach(label); }
  document.addEventListener("DOMContentLoaded", function () { all(); });
  document.addEventListener("htmx:afterSwap", function () { all(); });
})();
