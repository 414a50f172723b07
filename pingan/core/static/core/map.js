/* Ping'an map component: a Leaflet map with GeoJSON layers, reused by every module.
 *
 *   Pingan.map("map-id", {layers: [{url: "/api/v1/divisions/geojson/?level=district", name: "区县",
 *                                   kind: "boundary"}, {url: "...", kind: "points"}],
 *                         focus: {lat: 23.7, lon: 113.05, zoom: 14}})
 *
 * Feature properties drive the look: `colour` (hex or palette name), `label`, `popup` (HTML-escaped
 * text) and `url` (a link in the popup). Tiles come from the server's MAP_TILE_URL; without one the
 * map draws the offline base map instead: county and township boundaries with their names
 * (/api/v1/divisions/basemap/), under everything else, so the platform works offline.
 *
 * Labels (the base map's names and any layer's `labels: true`) live in one pane and are placed after
 * every move: county names first, township names from zoom 10, each moved aside or hidden where it
 * would cover a point or another label. A point is never under a name.
 */
(function () {
  // Colour names resolve through the CSS custom properties of palette.css (the choices' palette).
  function named(c) { return c ? getComputedStyle(document.documentElement).getPropertyValue("--" + c).trim() : ""; }
  function colour(c) { return named(c) || c || named("blue"); }
  function esc(s) { const d = document.createElement("div"); d.textContent = s == null ? "" : String(s); return d.innerHTML; }
  function settings() { const el = document.getElementById("map-settings"); return el ? JSON.parse(el.textContent) : {}; }
  function text(s, key, fallback) { return (s.texts && s.texts[key]) || fallback; }

  const TOWN_LABEL_ZOOM = 10;   // township names from this zoom on
  const FULL_DETAIL_ZOOM = 10;  // the exact boundaries from this zoom on (coarse below)

  function popupOf(p, s) {
    let html = "<strong>" + esc(p.label || p.name || "") + "</strong>";
    if (p.popup) html += "<br>" + esc(p.popup).replace(/\n/g, "<br>");
    if (p.url) html += '<br><a href="' + esc(p.url) + '">' + esc(p.link_text || text(s, "details", "详情")) + "</a>";
    return html;
  }

  // --- Geometry helpers (point in polygon, for "which township is this point in") --------------
  function ringContains(ring, x, y) {
    let inside = false;
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
      if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
  }
  function polygonContains(rings, x, y) {
    if (!rings.length || !ringContains(rings[0], x, y)) return false;
    for (let k = 1; k < rings.length; k++) if (ringContains(rings[k], x, y)) return false;
    return true;
  }
  function featureContains(f, lat, lon) {
    const g = f.geometry; if (!g) return false;
    if (!f._bbox) {
      let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
      const polys = g.type === "Polygon" ? [g.coordinates] : (g.type === "MultiPolygon" ? g.coordinates : []);
      polys.forEach(p => p[0].forEach(([x, y]) => { x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x); y1 = Math.max(y1, y); }));
      f._bbox = [x0, y0, x1, y1]; f._polys = polys;
    }
    const b = f._bbox;
    if (lon < b[0] || lon > b[2] || lat < b[1] || lat > b[3]) return false;
    return f._polys.some(p => polygonContains(p, lon, lat));
  }

  // --- Labels -------------------------------------------------------------------------------------
  function Labels(map) {
    this.map = map;
    this.items = new Map();  // key -> {latlng, sources: [{text, priority, cls, minZoom, visible()}], marker, size}
    this.group = L.layerGroup().addTo(map);
    this._frame = null;
    map.on("zoomend moveend resize", () => this.schedule());
  }
  Labels.prototype.add = function (key, latlng, source) {
    let item = this.items.get(key);
    if (!item) { item = {key, latlng: L.latLng(latlng), sources: []}; this.items.set(key, item); }
    else if (source.priority > Math.max(...item.sources.map(x => x.priority))) item.latlng = L.latLng(latlng);
    item.sources = item.sources.filter(x => x.id !== source.id).concat([source]).sort((a, b) => b.priority - a.priority);
    this.schedule();
  };
  Labels.prototype.removeSource = function (id) {
    this.items.forEach(item => { item.sources = item.sources.filter(x => x.id !== id); });
    this.schedule();
  };
  Labels.prototype.schedule = function () {
    if (this._frame) return;
    this._frame = requestAnimationFrame(() => { this._frame = null; this.place(); });
  };
  Labels.prototype._obstacles = function () {
    // Every point on the map: circle markers (their radius) and pin markers (the default icon).
    const boxes = [];
    const map = this.map;
    map.eachLayer(l => {
      if (l.options && l.options.pinganLabel) return;
      if (l instanceof L.CircleMarker && !(l instanceof L.Circle)) {
        const p = map.latLngToContainerPoint(l.getLatLng()); const r = (l.getRadius ? l.getRadius() : 6) + 3;
        boxes.push([p.x - r, p.y - r, p.x + r, p.y + r]);
      } else if (l instanceof L.Marker) {
        const p = map.latLngToContainerPoint(l.getLatLng());
        boxes.push([p.x - 14, p.y - 44, p.x + 14, p.y + 2]);
      }
    });
    return boxes;
  };
  Labels.prototype.place = function () {
    const map = this.map;
    const zoom = map.getZoom();
    const size = map.getSize();
    const obstacles = this._obstacles();
    const placed = [];
    const hits = (b) => obstacles.some(o => b[0] < o[2] && b[2] > o[0] && b[1] < o[3] && b[3] > o[1]) ||
      placed.some(o => b[0] < o[2] + 4 && b[2] + 4 > o[0] && b[1] < o[3] + 2 && b[3] + 2 > o[1]);
    const order = [...this.items.values()].map(item => ({item, source: item.sources.find(x => x.visible() && zoom >= (x.minZoom || 0))}))
      .filter(x => x.source).sort((a, b) => b.source.priority - a.source.priority);
    const shown = new Set();
    order.forEach(({item, source}) => {
      const p = map.latLngToContainerPoint(item.latlng);
      if (p.x < -50 || p.y < -20 || p.x > size.x + 50 || p.y > size.y + 20) return;
      if (!item.marker) {
        item.marker = L.marker(item.latlng, {pane: "pinganLabels", interactive: false, keyboard: false, pinganLabel: true,
          icon: L.divIcon({className: "map-label-anchor", iconSize: [0, 0], html: "<span></span>"})});
        this.group.addLayer(item.marker);
      }
      const span = item.marker.getElement() && item.marker.getElement().firstChild;
      if (!span) return;
      if (span.textContent !== source.text || item.cls !== source.cls) {
        span.textContent = source.text; span.className = "map-label " + (source.cls || ""); item.cls = source.cls; item.size = null;
      }
      span.style.display = "";
      if (!item.size) item.size = [span.offsetWidth || 40, span.offsetHeight || 16];
      const [w, h] = item.size;
      const tries = [[0, 0], [0, -(h + 6)], [0, h + 6], [w / 2 + 14, 0], [-(w / 2 + 14), 0]];
      for (const [dx, dy] of tries) {
        const b = [p.x + dx - w / 2, p.y + dy - h / 2, p.x + dx + w / 2, p.y + dy + h / 2];
        if (!hits(b)) {
          placed.push(b); shown.add(item.key);
          span.style.transform = "translate(" + (dx - w / 2) + "px," + (dy - h / 2) + "px)";
          return;
        }
      }
    });
    this.items.forEach(item => {
      if (!shown.has(item.key) && item.marker && item.marker.getElement()) item.marker.getElement().firstChild.style.display = "none";
    });
  };

  // --- Layers -------------------------------------------------------------------------------------
  function layerFor(def, data, s) {
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
          l.bindPopup(popupOf(f.properties, s));
        },
      });
    }
    return L.geoJSON(data, {
      style: f => ({color: colour(f.properties.colour || def.colour || "#b3261e"), weight: def.weight || 1.5,
        fillColor: colour(f.properties.fill || f.properties.colour || def.fill || "#b3261e"),
        fillOpacity: f.properties.fill_opacity != null ? f.properties.fill_opacity : (def.fillOpacity != null ? def.fillOpacity : 0.06),
        dashArray: f.properties.synthetic ? "4 3" : null}),
      onEachFeature: (f, l) => l.bindPopup(popupOf(f.properties, s)),
    });
  }

  function labelsOf(layer, labels, id, isVisible) {
    // A layer's own names (`labels: true`): placed with the base map's, never over a point.
    layer.eachLayer(l => {
      const p = l.feature && l.feature.properties;
      if (!p || !p.label) return;
      const at = p.label_at || (l.getBounds ? l.getBounds().getCenter() : l.getLatLng());
      labels.add(p.code || ("l" + L.Util.stamp(l)), at, {id, text: p.label, priority: 2, cls: "layer", visible: isVisible});
    });
  }

  // --- The offline base map ------------------------------------------------------------------------
  function Basemap(map, ctx, s, exact) {
    this.map = map; this.ctx = ctx; this.s = s; this.detail = null; this.doc = null; this.full = null;
    this.group = L.layerGroup().addTo(map);
    this.waiting = [];
    const want = exact || map.getZoom() >= FULL_DETAIL_ZOOM ? "full" : "coarse";
    this.ready = this.load(want);
    map.on("zoomend", () => { if (map.getZoom() >= FULL_DETAIL_ZOOM) this.load("full"); });
  }
  Basemap.prototype.load = function (detail) {
    if (this.detail === "full" || this.loading === detail || (this.loading === "full")) return this.ready;
    this.loading = detail;
    const url = this.s.basemapUrl + (this.s.basemapUrl.includes("?") ? "&" : "?") + "detail=" + detail;
    return fetch(url, {credentials: "same-origin", headers: {"Accept": "application/geo+json, application/json"}})
      .then(r => { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(doc => {
        if (this.detail === "full") return doc;
        this.draw(doc); this.detail = detail; this.doc = doc;
        if (detail === "full") { this.full = doc; this.waiting.forEach(fn => fn(doc)); this.waiting = []; }
        this.map.getContainer().dataset.basemap = detail;
        this.map.getContainer().dispatchEvent(new CustomEvent("pingan:basemap", {detail: {doc, detail}}));
        return doc;
      })
      .catch(err => { console.warn("base map failed", err); this.map.getContainer().dataset.error = "1"; })
      .finally(() => { if (this.loading === detail) this.loading = null; });
  };
  Basemap.prototype.draw = function (doc) {
    const map = this.map; const labels = this.ctx.labels; const group = this.group;
    group.clearLayers();
    const towns = L.geoJSON({type: "FeatureCollection", features: doc.features.filter(f => f.properties.level === "town")}, {
      pane: "pinganBase", interactive: false,
      style: f => ({color: "#7d8a96", weight: 0.8, opacity: 0.9, fill: false, dashArray: f.properties.synthetic ? "3 3" : null}),
    });
    const counties = L.geoJSON({type: "FeatureCollection", features: doc.features.filter(f => f.properties.level === "district")}, {
      pane: "pinganBase", interactive: false,
      style: () => ({color: "#4a5561", weight: 1.8, opacity: 0.95, fillColor: "#f7f5ef", fillOpacity: 1}),
    });
    group.addLayer(counties); group.addLayer(towns);
    counties.bringToBack();
    const visible = () => map.hasLayer(group);
    doc.features.forEach(f => {
      const p = f.properties;
      const county = p.level === "district";
      labels.add(p.code, p.label_at, {id: "base", text: p.label, priority: county ? 3 : 1, cls: county ? "county" : "town",
        minZoom: county ? 0 : TOWN_LABEL_ZOOM, visible});
    });
  };
  // The township (or county) feature containing a point, from the exact boundaries.
  Basemap.prototype.locate = function (lat, lon) {
    const doc = this.full; if (!doc) return null;
    const town = doc.features.find(f => f.properties.level === "town" && featureContains(f, lat, lon));
    if (town) return town;
    return doc.features.find(f => f.properties.level === "district" && featureContains(f, lat, lon)) || null;
  };
  Basemap.prototype.whenExact = function (fn) { if (this.full) fn(this.full); else { this.waiting.push(fn); this.load("full"); } };
  Basemap.prototype.feature = function (id) {
    const doc = this.full || this.doc; if (!doc) return null;
    return doc.features.find(f => String(f.properties.id) === String(id)) || null;
  };

  function legendControl(map, s, approximate) {
    const c = L.control({position: "bottomright"});
    c.onAdd = () => {
      const d = L.DomUtil.create("div", "map-legend");
      d.setAttribute("data-testid", "map-legend");
      d.innerHTML = '<span class="county-key"></span> ' + esc(text(s, "counties", "区县界")) +
        ' <span class="town-key"></span> ' + esc(text(s, "towns", "乡镇街道界")) +
        (approximate ? '<br><small>' + esc(text(s, "approximate", "乡镇边界为示意")) + "</small>" : "");
      return d;
    };
    return c.addTo(map);
  }

  function create(id, opts) {
    opts = opts || {};
    const s = settings();
    const el = document.getElementById(id);
    const focus = opts.focus;
    const start = focus ? [focus.lat, focus.lon] : (opts.center || s.center || [23.98, 112.95]);
    const map = L.map(el, {preferCanvas: true, zoomSnap: 0.25})
      .setView(start, (focus && focus.zoom) || opts.zoom || s.zoom || 8);
    map.createPane("pinganBase").style.zIndex = 250;     // boundaries: above tiles, below everything else
    const lp = map.createPane("pinganLabels"); lp.style.zIndex = 450; lp.style.pointerEvents = "none";
    const ctx = {map, layers: {}, labels: new Labels(map), basemap: null};
    let control = null;
    const addToControl = (layer, name) => {
      if (!name) return;  // an unnamed layer gets no checkbox (never an empty, unlabelled one)
      if (!control) {
        control = L.control.layers(null, {}, {collapsed: window.innerWidth < 760 || el.clientWidth < 520}).addTo(map);
        const toggle = control.getContainer().querySelector(".leaflet-control-layers-toggle");
        if (toggle) { toggle.title = text(s, "layers", "图层"); toggle.setAttribute("aria-label", toggle.title); }
      }
      control.addOverlay(layer, esc(name));
    };
    const loaded = [];
    if (s.tileUrl) {
      L.tileLayer(s.tileUrl, {attribution: s.attribution || "", maxZoom: 18}).addTo(map);
    } else {
      el.classList.add("no-tiles");
      if (s.basemapUrl && opts.base !== false) {
        ctx.basemap = new Basemap(map, ctx, s, !!opts.exact);
        addToControl(ctx.basemap.group, text(s, "basemap", "行政区划"));
        const anyFit = (opts.layers || []).some(d => d.fit);
        loaded.push(ctx.basemap.ready.then(doc => {
          if (!doc) return;
          legendControl(map, s, !!doc.approximate);
          // Nothing else to open on: show the whole city (on a phone too).
          if (!ctx.fitted && !anyFit && !opts.center) {
            const b = L.geoJSON({type: "FeatureCollection", features: doc.features.filter(f => f.properties.level === "district")}).getBounds();
            if (b.isValid()) map.fitBounds(b, {padding: [6, 6]});
          }
        }));
      }
    }
    map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
    ctx.fitted = !!focus;
    (opts.layers || []).forEach((def, n) => {
      const p = fetch(def.url, {credentials: "same-origin", headers: {"Accept": "application/geo+json, application/json"}})
        .then(r => { if (!r.ok) throw new Error(r.status); return r.json(); })
        .then(data => {
          const layer = layerFor(def, data, s).addTo(map);
          if (def.kind !== "points") layer.bringToBack();
          ctx.layers[def.name || def.url] = layer;
          addToControl(layer, def.name);
          if (def.labels) labelsOf(layer, ctx.labels, "layer" + n, () => map.hasLayer(layer));
          if (def.fit && !ctx.fitted && layer.getBounds().isValid()) {
            map.fitBounds(layer.getBounds(), {padding: [16, 16], maxZoom: def.maxZoom || 14}); ctx.fitted = true;
          }
          ctx.labels.schedule();
          return layer;
        })
        .catch(err => { console.warn("map layer failed", def.url, err); el.dataset.error = "1"; });
      loaded.push(p);
    });
    map.on("overlayadd overlayremove", () => ctx.labels.schedule());
    Promise.all(loaded).then(() => {
      ctx.labels.place();
      el.dataset.ready = "1";
      el.dispatchEvent(new CustomEvent("pingan:map-ready", {detail: {map, layers: ctx.layers, basemap: ctx.basemap}}));
    });
    el._pingan = ctx;
    return map;
  }

  /* A place picker: a map click sets lat/lon and, from the exact boundaries, the township in the
   * division <select> (a searchable picker); choosing a township in the list shows it on the map
   * (and drops a point that lies outside it). The chosen place is written back in words. */
  function placePicker(mapId, o) {
    const el = document.getElementById(mapId);
    const lat = document.getElementById(o.lat), lon = document.getElementById(o.lon);
    const select = o.division ? document.getElementById(o.division) : null;
    const words = document.getElementById(o.words);
    const t = o.texts || {};
    let marker = null, current = null, outline = null;
    function highlight(f) {
      if (outline) { outline.remove(); outline = null; }
      if (f && current) outline = L.geoJSON(f, {interactive: false, style: {color: colour("blue"), weight: 3, fillOpacity: 0.06}}).addTo(current.map);
    }
    function optionFor(id) { return select ? [...select.options].find(x => x.value === String(id)) : null; }
    function say(place, note) {
      if (!words) return;
      words.textContent = place || t.none || "";
      words.dataset.state = place ? "chosen" : "none";
      if (note) { const n = document.createElement("small"); n.textContent = " " + note; words.appendChild(n); }
    }
    function clearPoint() {
      lat.value = ""; lon.value = "";
      if (marker) { marker.remove(); marker = null; }
    }
    function showChoice() {
      const opt = select && select.value ? optionFor(select.value) : null;
      if (lat.value && lon.value) return;  // the point speaks (set by setPoint)
      say(opt ? opt.textContent : "", opt ? t.noPoint : "");
    }
    function setPoint(la, lo, fromClick) {
      const m = current; if (!m) return;
      lat.value = la.toFixed(6); lon.value = lo.toFixed(6);
      if (marker) marker.setLatLng([la, lo]); else marker = L.marker([la, lo], {keyboard: false}).addTo(m.map);
      m.labels.schedule();
      m.basemap ? m.basemap.whenExact(() => {
        const f = m.basemap.locate(la, lo);
        highlight(f);
        if (!f) { say("", t.outside); if (select) select.value = ""; select && select.dispatchEvent(new Event("pingan:set")); return; }
        const p = f.properties;
        if (select && optionFor(p.id)) { select.value = String(p.id); select.dispatchEvent(new Event("pingan:set")); }
        say(p.place, "");
      }) : say(la.toFixed(5) + ", " + lo.toFixed(5), "");
      if (fromClick && o.onPoint) o.onPoint(la, lo);
    }
    function start(ctx) {
      current = ctx;
      ctx.map.on("click", e => setPoint(e.latlng.lat, e.latlng.lng, true));
      const la = parseFloat(lat.value), lo = parseFloat(lon.value);
      if (!isNaN(la) && !isNaN(lo)) { setPoint(la, lo); ctx.map.setView([la, lo], Math.max(ctx.map.getZoom(), 13)); ctx.fitted = true; }
      else if (select && select.value) { select.dispatchEvent(new Event("change")); }
      else showChoice();
    }
    if (select) select.addEventListener("change", () => {
      const m = current; if (!m) return showChoice();
      const id = select.value;
      if (!id) { highlight(null); showChoice(); return; }
      const go = () => {
        const f = m.basemap && m.basemap.feature(id);
        if (lat.value && lon.value && f && !featureContains(f, parseFloat(lat.value), parseFloat(lon.value))) clearPoint();
        highlight(f);
        if (f) { m.map.fitBounds(L.geoJSON(f).getBounds(), {padding: [12, 12], maxZoom: 13}); m.fitted = true; }
        if (lat.value && lon.value && f) say(f.properties.place, ""); else showChoice();
      };
      m.basemap ? m.basemap.whenExact(go) : go();
    });
    // The map component's own DOMContentLoaded handler ran first (its script comes earlier).
    if (el._pingan) start(el._pingan);
    else el.addEventListener("pingan:map-ready", () => start(el._pingan), {once: true});
    return {
      set: (la, lo) => setPoint(la, lo, true),
      locate() {
        if (!navigator.geolocation) { say("", t.noGeo); return; }
        navigator.geolocation.getCurrentPosition(p => {
          setPoint(p.coords.latitude, p.coords.longitude, true);
          if (current) { current.map.setView([p.coords.latitude, p.coords.longitude], 14); current.fitted = true; }
        }, () => say("", t.noGeo));
      },
    };
  }

  window.Pingan = window.Pingan || {};
  window.Pingan.map = create;
  window.Pingan.placePicker = placePicker;
  window.Pingan.colour = colour;
  window.Pingan.featureContains = featureContains;
})();
