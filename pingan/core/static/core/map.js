/* Ping'an map component: a Leaflet map with GeoJSON layers, reused by every module.
 *
 *   Pingan.map("map-id", {layers: [{url: "/api/v1/divisions/geojson/?level=district", name: "区县",
 *                                   kind: "boundary"}, {url: "...", kind: "points"}]})
 *
 * Feature properties drive the look: `colour` (hex or palette name), `label`, `popup` (HTML-escaped
 * text) and `url` (a link in the popup). Tiles come from the server's MAP_TILE_URL; without one the
 * map draws on a plain background so the platform works offline.
 */
(function () {
  // Colour names resolve through the CSS custom properties of palette.css (the choices' palette).
  function named(c) { return c ? getComputedStyle(document.documentElement).getPropertyValue("--" + c).trim() : ""; }
  function colour(c) { return named(c) || c || named("blue"); }
  function esc(s) { const d = document.createElement("div"); d.textContent = s == null ? "" : String(s); return d.innerHTML; }
  function settings() { const el = document.getElementById("map-settings"); return el ? JSON.parse(el.textContent) : {}; }

  function popupOf(p) {
    let html = "<strong>" + esc(p.label || p.name || "") + "</strong>";
    if (p.popup) html += "<br>" + esc(p.popup).replace(/\n/g, "<br>");
    if (p.url) html += '<br><a href="' + esc(p.url) + '">' + esc(p.link_text || "详情 / Details") + "</a>";
    return html;
  }

  function layerFor(def, data) {
    if (def.kind === "points") {
      return L.geoJSON(data, {
        // A feature with `cluster: true` and a `count` stands for many points: drawn larger, with its count.
        pointToLayer: (f, latlng) => f.properties.cluster
          ? L.circleMarker(latlng, {radius: Math.min(28, 7 + 2.2 * Math.sqrt(f.properties.count || 1)), weight: 1,
              color: "#fff", fillColor: colour(f.properties.colour || "orange"), fillOpacity: 0.75})
          : L.circleMarker(latlng, {radius: def.radius || 6, weight: 1, color: "#fff",
              fillColor: colour(f.properties.colour), fillOpacity: 0.9}),
        onEachFeature: (f, l) => {
          if (f.properties.cluster) l.bindTooltip(String(f.properties.count), {permanent: true, direction: "center", className: "map-count"});
          l.bindPopup(popupOf(f.properties));
        },
      });
    }
    return L.geoJSON(data, {
      style: f => ({color: colour(f.properties.colour || def.colour || "#b3261e"), weight: def.weight || 1.5,
        fillColor: colour(f.properties.fill || f.properties.colour || def.fill || "#b3261e"),
        fillOpacity: f.properties.fill_opacity != null ? f.properties.fill_opacity : (def.fillOpacity != null ? def.fillOpacity : 0.06),
        dashArray: f.properties.synthetic ? "4 3" : null}),
      onEachFeature: (f, l) => {
        l.bindPopup(popupOf(f.properties));
        if (def.labels && f.properties.label) l.bindTooltip(esc(f.properties.label), {permanent: true, direction: "center", className: "map-label"});
      },
    });
  }

  function create(id, opts) {
    opts = opts || {};
    const s = settings();
    const el = document.getElementById(id);
    const map = L.map(el, {preferCanvas: true, zoomSnap: 0.25}).setView(opts.center || s.center || [23.98, 112.95], opts.zoom || s.zoom || 8);
    if (s.tileUrl) {
      L.tileLayer(s.tileUrl, {attribution: s.attribution || "", maxZoom: 18}).addTo(map);
    } else {
      el.classList.add("no-tiles");
    }
    map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
    const control = L.control.layers(null, {}, {collapsed: window.innerWidth < 760}).addTo(map);
    const loaded = [];
    const layers = {};
    let fitted = false;
    (opts.layers || []).forEach(def => {
      const p = fetch(def.url, {credentials: "same-origin", headers: {"Accept": "application/geo+json, application/json"}})
        .then(r => { if (!r.ok) throw new Error(r.status); return r.json(); })
        .then(data => {
          const layer = layerFor(def, data).addTo(map);
          layers[def.name || def.url] = layer;
          control.addOverlay(layer, def.name || def.url);
          if (def.fit && !fitted && layer.getBounds().isValid()) { map.fitBounds(layer.getBounds(), {padding: [10, 10], maxZoom: def.maxZoom || 15}); fitted = true; }
          return layer;
        })
        .catch(err => { console.warn("map layer failed", def.url, err); el.dataset.error = "1"; });
      loaded.push(p);
    });
    Promise.all(loaded).then(() => { el.dataset.ready = "1"; el.dispatchEvent(new CustomEvent("pingan:map-ready", {detail: {map, layers}})); });
    el._pingan = {map, layers};
    return map;
  }

  window.Pingan = window.Pingan || {};
  window.Pingan.map = create;
  window.Pingan.colour = colour;
})();
