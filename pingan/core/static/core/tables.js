// Tables, for phones and screen readers:
// - phone layout of list tables: give every cell its column's name (data-label), which app.css shows
//   before the value when the table is stacked into cards on a narrow screen;
// - every table has a caption (WCAG 1.3.1): a table without one gets a visually hidden caption from
//   its data-caption attribute, else the nearest heading before it, else the page title, so a screen
//   reader announces what the table lists. Templates may give a visible <caption> instead.
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
  function headingText(h) {
    // The heading's words without the buttons and links that sit inside it (上报 · 地图 · 导出).
    var copy = h.cloneNode(true);
    copy.querySelectorAll("a.btn, button, form, .badge").forEach(function (x) { x.remove(); });
    return copy.textContent.replace(/\s+/g, " ").trim();
  }
  function headingBefore(el) {
    // Walk back through earlier siblings and then up the ancestors for the closest heading.
    for (var node = el; node && node !== document.body; node = node.parentElement) {
      for (var sib = node.previousElementSibling; sib; sib = sib.previousElementSibling) {
        if (/^H[1-4]$/.test(sib.tagName)) return headingText(sib);
        var inner = sib.querySelectorAll("h1,h2,h3,h4");
        if (inner.length) return headingText(inner[inner.length - 1]);
      }
    }
    var h1 = document.querySelector("main h1");
    return h1 ? headingText(h1) : document.title;
  }
  function caption(table) {
    if (table.caption) return;
    var text = table.getAttribute("data-caption") || headingBefore(table);
    if (!text) return;
    var c = table.createCaption();
    c.className = "visually-hidden";
    c.textContent = text;
  }
  function all() {
    document.querySelectorAll("table.list").forEach(label);
    document.querySelectorAll("table").forEach(caption);
  }
  document.addEventListener("DOMContentLoaded", function () { all(); });
  document.addEventListener("htmx:afterSwap", function () { all(); });
})();
