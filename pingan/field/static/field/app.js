/* Ping'an field app: records kept on the phone (IndexedDB) and sent when there is a network.
   Decision record: docs/decisions/0012-offline-field-app.md.

   Stores (one database per signed-in person, so a shared phone keeps people apart):
   - kv:     "bundle" → what "make available offline" downloaded (inspections with checklists,
             check tasks, hazard categories);
   - outbox: records not yet sent, each with the client token (UUID) the server uses to recognise a
             repeated send, its state (waiting / failed with the server's field and message);
   - sent:   what went through, with the server's answer (case numbers, document links).
   Plain JavaScript, no library: the platform's front-end libraries are for maps and charts. */
(function () {
  "use strict";

  var T = JSON.parse(document.getElementById("field-text").textContent);
  var MAY = JSON.parse(document.getElementById("field-may").textContent);
  var BODY = document.body;
  var API = BODY.dataset.api;
  var PATHS = { inspection: "inspections/", hazard: "hazards/", check: "checks/" };
  var view = document.getElementById("view");

  // --- IndexedDB --------------------------------------------------------------------------------
  var dbp = new Promise(function (resolve, reject) {
    var r = indexedDB.open("pingan-field-" + BODY.dataset.user, 1);
    r.onupgradeneeded = function () {
      var db = r.result;
      db.createObjectStore("kv");
      db.createObjectStore("outbox", { keyPath: "token" });
      db.createObjectStore("sent", { keyPath: "token" });
    };
    r.onsuccess = function () { resolve(r.result); };
    r.onerror = function () { reject(r.error); };
  });

  function op(name, mode, fn) {
    return dbp.then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(name, mode);
        var r = fn(t.objectStore(name));
        t.oncomplete = function () { resolve(r && r.result); };
        t.onerror = function () { reject(t.error); };
        t.onabort = function () { reject(t.error); };
      });
    });
  }
  var idb = {
    get: function (s, k) { return op(s, "readonly", function (o) { return o.get(k); }); },
    all: function (s) { return op(s, "readonly", function (o) { return o.getAll(); }); },
    put: function (s, v, k) { return op(s, "readwrite", function (o) { return k === undefined ? o.put(v) : o.put(v, k); }); },
    del: function (s, k) { return op(s, "readwrite", function (o) { return o.delete(k); }); },
    clear: function (s) { return op(s, "readwrite", function (o) { return o.clear(); }); },
  };

  // --- Small helpers ------------------------------------------------------------------------------
  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function el(tag, attrs, kids) {
    var n = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") n.textContent = attrs[k];
      else if (k.slice(0, 2) === "on") n.addEventListener(k.slice(2), attrs[k]);
      else if (attrs[k] === true) n.setAttribute(k, "");
      else if (attrs[k] !== false && attrs[k] != null) n.setAttribute(k, attrs[k]);
    });
    (kids || []).forEach(function (c) { if (c) n.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return n;
  }
  function csrf() {
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }
  function localDate(offsetDays) {
    var d = new Date(Date.now() + (offsetDays || 0) * 864e5);
    return d.getFullYear() + "-" + String(d.getMonth() + 1).padStart(2, "0") + "-" + String(d.getDate()).padStart(2, "0");
  }
  function when(iso) { return iso ? new Date(iso).toLocaleString() : ""; }
  function go(hash) { location.hash = hash; }

  // Photos are shrunk on the phone (long side 1280 px, JPEG) before they are kept.
  function shrink(file) {
    return new Promise(function (resolve, reject) {
      var url = URL.createObjectURL(file);
      var img = new Image();
      img.onload = function () {
        var k = Math.min(1, 1280 / Math.max(img.width, img.height));
        var c = el("canvas", { width: Math.round(img.width * k), height: Math.round(img.height * k) });
        c.getContext("2d").drawImage(img, 0, 0, c.width, c.height);
        URL.revokeObjectURL(url);
        resolve(c.toDataURL("image/jpeg", 0.8));
      };
      img.onerror = function () { URL.revokeObjectURL(url); reject(new Error("image")); };
      img.src = url;
    });
  }
  function photoInput(list, testid) {
    var thumbs = el("span", { class: "thumbs" });
    var input = el("input", {
      type: "file", accept: "image/*", capture: "environment", multiple: true, "data-testid": testid,
      onchange: function () {
        Promise.all(Array.prototype.map.call(input.files, shrink)).then(function (urls) {
          urls.forEach(function (u) { list.push(u); thumbs.appendChild(el("img", { src: u, alt: "" })); });
        });
      },
    });
    return el("div", { class: "field" }, [el("label", { class: "photo-button" }, [T.photos + " +", input]), thumbs]);
  }
  function position(state, testid) {
    var out = el("span", { "data-testid": testid, text: T.noPosition });
    function locate() {
      if (!navigator.geolocation) return;
      navigator.geolocation.getCurrentPosition(function (p) {
        state.lat = Math.round(p.coords.latitude * 1e6) / 1e6;
        state.lon = Math.round(p.coords.longitude * 1e6) / 1e6;
        state.accuracy_m = Math.round(p.coords.accuracy);
        out.textContent = state.lat + ", " + state.lon + " (±" + state.accuracy_m + " m)";
      }, function () {}, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    }
    locate();
    return el("p", { class: "field" }, [T.position + ": ", out, " ", el("button", { type: "button", class: "small", onclick: locate, text: T.locate })]);
  }

  // A signature drawn on screen with a finger (or mouse); kept as a PNG data URL.
  function signaturePad(label, testid) {
    var canvas = el("canvas", { class: "sign", "data-testid": testid, "aria-label": label + " " + T.sign });
    var pad = { drawn: false, png: function () { return pad.drawn ? canvas.toDataURL("image/png") : ""; } };
    var ctx, last = null;
    function size() {
      var r = canvas.getBoundingClientRect();
      var dpr = window.devicePixelRatio || 1;
      canvas.width = Math.max(1, Math.round(r.width * dpr));
      canvas.height = Math.max(1, Math.round(r.height * dpr));
      ctx = canvas.getContext("2d");
      ctx.scale(dpr, dpr);
      ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, r.width, r.height);
      ctx.lineWidth = 2.5; ctx.lineCap = "round"; ctx.lineJoin = "round"; ctx.strokeStyle = "#111";
      pad.drawn = false;
    }
    function at(e) { var r = canvas.getBoundingClientRect(); return [e.clientX - r.left, e.clientY - r.top]; }
    canvas.addEventListener("pointerdown", function (e) {
      e.preventDefault();
      if (canvas.setPointerCapture) canvas.setPointerCapture(e.pointerId);
      last = at(e);
    });
    canvas.addEventListener("pointermove", function (e) {
      if (!last) return;
      var p = at(e);
      ctx.beginPath(); ctx.moveTo(last[0], last[1]); ctx.lineTo(p[0], p[1]); ctx.stroke();
      last = p; pad.drawn = true;
    });
    ["pointerup", "pointercancel", "pointerleave"].forEach(function (t) { canvas.addEventListener(t, function () { last = null; }); });
    pad.node = el("div", { class: "signbox" }, [
      el("span", { text: label + " · " + T.signHere }), canvas,
      el("button", { type: "button", class: "small", onclick: size, text: T.clear }),
    ]);
    setTimeout(size, 0);
    return pad;
  }

  function errorBox() { return el("p", { class: "error", role: "alert", "data-testid": "form-error" }); }

  // --- The outbox -----------------------------------------------------------------------------
  function enqueue(kind, label, payload, ref) {
    var item = { token: payload.client_token, kind: kind, label: label, payload: payload, ref: ref,
                 created: new Date().toISOString(), status: "waiting", error: null };
    return idb.put("outbox", item).then(function () {
      go("#/");
      return refresh().then(sync);
    });
  }

  var syncing = false;
  function sync() {
    if (syncing || !navigator.onLine) return refresh();
    syncing = true;
    return idb.all("outbox").then(function (items) {
      items.sort(function (a, b) { return a.created < b.created ? -1 : 1; });
      var chain = Promise.resolve(true);
      items.forEach(function (item) {
        chain = chain.then(function (goOn) { return goOn ? send(item) : false; });
      });
      return chain;
    }).catch(function () {}).then(function () {
      syncing = false;
      // On the list, show what is left to do (a sent inspection is no longer offered); never
      // redraw a form someone is filling in.
      return location.hash && location.hash !== "#/" ? refresh() : render();
    });
  }

  // true: go on with the next item; false: stop (no network, or the server is unwell).
  function send(item) {
    item.status = "sending";
    return fetch(API + PATHS[item.kind], {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf() },
      body: JSON.stringify(item.payload),
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) {
        if (res.ok) {
          return idb.del("outbox", item.token)
            .then(function () { return idb.put("sent", { token: item.token, kind: item.kind, label: item.label, at: new Date().toISOString(), result: data }); })
            .then(function () { return forgetDone(item); })
            .then(function () { return true; });
        }
        var e = (data.errors && data.errors[0]) || { field: null, message: res.status + " " + res.statusText };
        item.status = "failed";
        item.error = { field: e.field, message: e.message, status: res.status };
        // A 4xx is this record's own problem (shown with the server's field message); keep going with
        // the others. 5xx and 429: try again later.
        return idb.put("outbox", item).then(function () { return res.status < 500 && res.status !== 429; });
      });
    }, function () {
      item.status = "waiting";
      return idb.put("outbox", item).then(function () { return false; });
    });
  }

  // Once an inspection or a check is sent, the phone no longer offers it.
  function forgetDone(item) {
    if (item.kind === "hazard") return null;
    return idb.get("kv", "bundle").then(function (b) {
      if (!b) return null;
      if (item.kind === "inspection" && b.inspections) b.inspections = b.inspections.filter(function (i) { return i.id !== item.ref; });
      return idb.put("kv", b, "bundle");
    });
  }

  // --- Making it available offline ---------------------------------------------------------------
  function makeOffline() {
    if (!navigator.onLine) { status(T.needOnline); return Promise.resolve(); }
    return fetch(API + "bundle/", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (res) { if (!res.ok) throw new Error(res.status); return res.json(); })
      .then(function (bundle) { return idb.put("kv", bundle, "bundle"); })
      .then(function () {
        // Keep the shell itself too (the service worker keeps it as well when it runs).
        if (!window.caches) return null;
        return caches.keys().then(function (keys) {
          var name = keys.filter(function (k) { return k.indexOf("pingan-field-") === 0; })[0] || "pingan-field-" + BODY.dataset.version;
          return caches.open(name).then(function (c) { return c.add(BODY.dataset.scope); });
        }).catch(function () {});
      })
      .then(render)
      .then(function () { status(T.bundleSaved + " · " + T.bundleAt + " " + when(new Date().toISOString())); })
      .catch(function () { status(T.needOnline); });
  }
  function status(text) { document.getElementById("bundle-state").textContent = text; }

  // --- Rendering --------------------------------------------------------------------------------
  function refresh() {
    var net = document.getElementById("net");
    net.textContent = navigator.onLine ? T.online : T.offline;
    net.className = "net " + (navigator.onLine ? "on" : "off");
    return Promise.all([idb.all("outbox"), idb.all("sent")]).then(function (r) {
      var out = r[0], sent = r[1];
      var pending = document.getElementById("pending");
      pending.textContent = out.length ? T.pending + " " + out.length : T.nothingPending;
      pending.className = out.length ? "badge warn" : "badge";
      var q = document.getElementById("queue");
      q.textContent = "";
      out.sort(function (a, b) { return a.created < b.created ? -1 : 1; }).forEach(function (item) {
        var li = el("li", { class: "item " + item.status, "data-testid": "outbox-item" }, [
          el("strong", { text: T[item.kind] + " · " + item.label }),
          el("span", { class: "muted", text: " " + when(item.created) + " · " + (item.status === "failed" ? T.failed : T.waiting) }),
        ]);
        if (item.error) {
          li.appendChild(el("p", { class: "error", "data-testid": "outbox-error",
            text: (item.error.field ? item.error.field + ": " : "") + item.error.message }));
          li.appendChild(el("button", { type: "button", class: "small", text: T.discard, onclick: function () {
            idb.del("outbox", item.token).then(refresh);
          } }));
        }
        q.appendChild(li);
      });
      sent.sort(function (a, b) { return a.at < b.at ? 1 : -1; }).slice(0, 10).forEach(function (s) {
        var d = (s.result && s.result.detail) || {};
        var li = el("li", { class: "item sent", "data-testid": "sent-item" }, [
          el("strong", { text: T.sent + " · " + T[s.kind] + " · " + s.label }),
          el("span", { class: "muted", text: " " + when(s.at) }),
        ]);
        (d.findings || []).forEach(function (f) {
          if (f.hazard_case_number) li.appendChild(el("p", { text: T.hazardCase + " " + f.hazard_case_number }));
        });
        if (d.number) li.appendChild(el("p", { text: T.hazardCase + " " + d.number }));
        if (d.hazard_case_number) li.appendChild(el("p", { text: T.hazardCase + " " + d.hazard_case_number }));
        (d.documents || []).forEach(function (doc) {
          li.appendChild(el("p", {}, [el("a", { href: doc.pdf, target: "_blank", rel: "noopener", "data-testid": "document-link", text: doc.title + " " + doc.number })]));
        });
        q.appendChild(li);
      });
    });
  }

  function render() {
    var hash = location.hash || "#/";
    var m;
    return idb.get("kv", "bundle").then(function (bundle) {
      status(bundle ? T.bundleAt + " " + when(bundle.generated_at) : T.bundleNone);
      view.textContent = "";
      if ((m = hash.match(/^#\/inspection\/(\d+)$/)) && bundle) return inspectionForm(bundle, +m[1]);
      if ((m = hash.match(/^#\/check\/(\d+)$/)) && bundle) return checkForm(bundle, +m[1]);
      if (hash === "#/hazard" && bundle) return hazardForm(bundle);
      return home(bundle);
    }).then(refresh);
  }

  function home(bundle) {
    return idb.all("outbox").then(function (out) {
      var queued = {};
      out.forEach(function (o) { queued[o.kind + ":" + o.ref] = true; });
      if (MAY.inspect) {
        var list = (bundle && bundle.inspections) || [];
        view.appendChild(el("h2", { text: T.inspections }));
        if (!list.length) view.appendChild(el("p", { class: "muted", text: T.none }));
        list.forEach(function (i) {
          var done = queued["inspection:" + i.id];
          view.appendChild(el("a", { class: "card" + (done ? " done" : ""), href: done ? null : "#/inspection/" + i.id, "data-testid": "inspection-" + i.id }, [
            el("strong", { text: i.target.name }),
            el("span", { class: "muted", text: " " + i.label + " · " + i.mode_label + " · " + i.target.industry_label }),
            done ? el("span", { class: "badge warn", text: T.recorded + " · " + T.pending }) : null,
          ]));
        });
      }
      if (MAY.check) {
        var tasks = (bundle && bundle.tasks) || [];
        view.appendChild(el("h2", { text: T.tasks }));
        if (!tasks.length) view.appendChild(el("p", { class: "muted", text: T.none }));
        tasks.slice(0, 50).forEach(function (t) {
          view.appendChild(el("a", { class: "card", href: "#/check/" + t.id, "data-testid": "task-" + t.id }, [
            el("strong", { text: t.name }),
            el("span", { class: "muted", text: " " + t.object + " · " + T.due + " " + when(t.due_at) }),
            t.overdue ? el("span", { class: "badge warn", text: T.overdue }) : null,
            t.mine ? el("span", { class: "badge", text: T.mine }) : null,
            queued["check:" + t.id] ? el("span", { class: "badge warn", text: T.pending }) : null,
          ]));
        });
      }
      if (MAY.report) {
        view.appendChild(el("h2", { text: T.report }));
        view.appendChild(bundle && bundle.categories
          ? el("a", { class: "card primary", href: "#/hazard", "data-testid": "report-hazard", text: T.report })
          : el("p", { class: "muted", text: T.bundleNone }));
      }
    });
  }

  function backLink() { return el("a", { href: "#/", class: "back", text: "‹ " + T.back }); }
  function labelled(text, input) { return el("label", { class: "field" }, [text, input]); }

  // --- The inspection record ---------------------------------------------------------------------
  function inspectionForm(bundle, id) {
    var insp = (bundle.inspections || []).filter(function (i) { return i.id === id; })[0];
    if (!insp) return home(bundle);
    var started = new Date().toISOString();
    var state = { lat: null, lon: null, accuracy_m: null };
    var answers = {}, findings = [];
    var findingBox = el("div", { class: "findings" });

    function addFinding(item) {
      var f = { client_token: uuid(), item: item ? item.id : null, photos: [] };
      var desc = el("textarea", { rows: 2, "data-testid": "finding-description" });
      desc.value = item ? item.title : "";
      var due = el("input", { type: "date", value: localDate(7), min: localDate(0), "data-testid": "finding-rectify-by" });
      f.read = function () { f.description = desc.value.trim(); f.rectify_by = due.value; };
      var box = el("fieldset", { class: "finding" + (item && item.major ? " major" : "") }, [
        el("legend", { text: item ? item.code + " " + item.title + (item.major ? " · " + T.major : "") : T.addFinding }),
        labelled(T.finding, desc), labelled(T.rectifyBy, due), photoInput(f.photos, "finding-photos"),
      ]);
      f.node = box;
      if (!item) box.appendChild(el("button", { type: "button", class: "small", text: T.remove, onclick: function () { removeFinding(f); } }));
      findings.push(f);
      findingBox.appendChild(box);
      return f;
    }
    function removeFinding(f) { findings = findings.filter(function (x) { return x !== f; }); f.node.remove(); }

    var checklist = el("ol", { class: "checklist" });
    insp.items.forEach(function (item) {
      var name = "a-" + item.id, linked = null;
      var choices = ["ok", "fail", "na"].map(function (v) {
        return el("label", { class: "choice" }, [el("input", { type: "radio", name: name, value: v, "data-testid": "answer-" + item.id + "-" + v, onchange: function () {
          answers[item.id] = v;
          if (v === "fail" && !linked) linked = addFinding(item);
          if (v !== "fail" && linked) { removeFinding(linked); linked = null; }
        } }), T[v]]);
      });
      checklist.appendChild(el("li", { class: item.major ? "major" : "" }, [
        el("span", { text: item.code + " " + item.title }),
        item.major ? el("span", { class: "badge warn", text: T.major }) : null,
        el("small", { class: "muted", text: item.basis }), el("div", { class: "choices" }, choices),
      ]));
    });

    var pads = {};
    var presentBox = el("div", { class: "present" });
    insp.inspectors.forEach(function (i) {
      var pad = signaturePad(i.name, "sign-inspector-" + i.id);
      var box = el("input", { type: "checkbox", checked: true, "data-testid": "present-" + i.id, onchange: function () { pad.node.hidden = !box.checked; } });
      pads["inspector:" + i.id] = { pad: pad, box: box, id: i.id };
      presentBox.appendChild(el("label", { class: "choice" }, [box, i.name + " (" + T.certificate + " " + i.certificate_no + ")"]));
    });
    var rep = el("input", { type: "text", maxlength: 50, value: insp.representative || "", "data-testid": "representative" });
    var repPad = signaturePad(T.representative, "sign-representative");
    var note = el("textarea", { rows: 2, "data-testid": "note" });
    var issue = el("input", { type: "checkbox", checked: true, "data-testid": "issue-documents" });
    var error = errorBox();

    function save() {
      error.textContent = "";
      var present = [], signatures = {};
      Object.keys(pads).forEach(function (k) {
        if (!pads[k].box.checked) return;
        present.push(pads[k].id);
        signatures[k] = pads[k].pad.png();
      });
      signatures.representative = repPad.png();
      findings.forEach(function (f) { f.read(); });
      var problem = present.length < 2 ? T.twoInspectors
        : !rep.value.trim() ? T.required + " " + T.representative
        : Object.keys(signatures).some(function (k) { return !signatures[k]; }) ? T.signatureMissing
        : findings.some(function (f) { return !f.description || !f.rectify_by; }) ? T.required + " " + T.finding : "";
      if (problem) { error.textContent = problem; return; }
      var payload = {
        client_token: uuid(), inspection: insp.id, present: present, representative: rep.value.trim(),
        started_at: started, ended_at: new Date().toISOString(), lat: state.lat, lon: state.lon,
        accuracy_m: state.accuracy_m, answers: answers, note: note.value, signatures: signatures,
        findings: findings.map(function (f) { return { client_token: f.client_token, item: f.item, description: f.description, rectify_by: f.rectify_by, photos: f.photos }; }),
        finish: true, issue_documents: issue.checked,
      };
      enqueue("inspection", insp.target.name, payload, insp.id);
    }

    [
      backLink(),
      el("h2", { text: T.inspection + " · " + insp.label }),
      el("dl", { class: "facts" }, [
        el("dt", { text: T.target }), el("dd", { text: insp.target.name }),
        el("dt", { text: T.address }), el("dd", { text: insp.target.address || "—" }),
        el("dt", { text: T.industry }), el("dd", { text: insp.target.industry_label }),
        el("dt", { text: T.startedAt }), el("dd", { text: when(started) }),
      ]),
      position(state, "position"),
      el("h3", { text: T.checklist }), checklist, findingBox,
      el("button", { type: "button", class: "small", text: T.addFinding, "data-testid": "add-finding", onclick: function () { addFinding(null); } }),
      labelled(T.note, note),
      el("h3", { text: T.present }), presentBox,
      el("div", { class: "pads" }, Object.keys(pads).map(function (k) { return pads[k].pad.node; })),
      labelled(T.representative, rep), repPad.node,
      el("label", { class: "choice" }, [issue, T.issueDocs]),
      error,
      el("button", { type: "button", class: "primary", text: T.save, "data-testid": "save", onclick: save }),
    ].forEach(function (n) { view.appendChild(n); });
  }

  // --- A risk check ----------------------------------------------------------------------------------
  function checkForm(bundle, id) {
    var task = (bundle.tasks || []).filter(function (t) { return t.id === id; })[0];
    if (!task) return home(bundle);
    var state = { lat: null, lon: null }, photos = [];
    var selects = task.checklist.map(function (text, n) {
      return { text: text, node: el("select", { "data-testid": "check-item-" + n }, [
        el("option", { value: "ok", text: T.normal }), el("option", { value: "problem", text: T.problem })]) };
    });
    var result = el("select", { "data-testid": "check-result" }, [
      el("option", { value: "ok", text: T.resultOk }), el("option", { value: "finding", text: T.resultFinding })]);
    var note = el("textarea", { rows: 3, "data-testid": "check-note" });
    var error = errorBox();
    function save() {
      var answers = {};
      selects.forEach(function (s) { answers[s.text] = s.node.value; });
      if (result.value === "finding" && !note.value.trim()) { error.textContent = T.required + " " + T.note; return; }
      enqueue("check", task.name, {
        client_token: uuid(), task: task.id, result: result.value, answers: answers, note: note.value,
        lat: state.lat, lon: state.lon, at: new Date().toISOString(), photo: photos[0] || "",
      }, task.id);
    }
    [
      backLink(), el("h2", { text: task.name }),
      el("p", { class: "muted", text: task.object + (task.enterprise ? " · " + task.enterprise : "") + " · " + T.due + " " + when(task.due_at) }),
      el("div", {}, selects.map(function (s) { return labelled(s.text, s.node); })),
      labelled(T.result, result), labelled(T.note, note), photoInput(photos, "check-photo"),
      position(state, "check-position"), error,
      el("button", { type: "button", class: "primary", text: T.save, "data-testid": "save", onclick: save }),
    ].forEach(function (n) { view.appendChild(n); });
  }

  // --- A grid worker's hazard report ------------------------------------------------------------------
  function hazardForm(bundle) {
    var state = { lat: null, lon: null }, photos = [];
    var title = el("input", { type: "text", maxlength: 200, "data-testid": "hazard-title" });
    var category = el("select", { "data-testid": "hazard-category" }, (bundle.categories || []).map(function (c) {
      return el("option", { value: c.code, text: document.documentElement.lang === "en" && c.name_en ? c.name_en : c.name });
    }));
    var desc = el("textarea", { rows: 3, "data-testid": "hazard-description" });
    var error = errorBox();
    function save() {
      if (!title.value.trim()) { error.textContent = T.required + " " + T.title; return; }
      enqueue("hazard", title.value.trim(), {
        client_token: uuid(), title: title.value.trim(), category: category.value, description: desc.value,
        lat: state.lat, lon: state.lon, photos: photos,
      }, null);
    }
    [
      backLink(), el("h2", { text: T.report }),
      labelled(T.title, title), labelled(T.category, category), labelled(T.description, desc),
      photoInput(photos, "hazard-photos"), position(state, "hazard-position"), error,
      el("button", { type: "button", class: "primary", text: T.save, "data-testid": "save", onclick: save }),
    ].forEach(function (n) { view.appendChild(n); });
  }

  // --- Start ------------------------------------------------------------------------------------------
  document.getElementById("sync").addEventListener("click", sync);
  document.getElementById("offline").addEventListener("click", makeOffline);
  document.getElementById("forget").addEventListener("click", function () {
    if (!window.confirm(T.confirmForget)) return;
    Promise.all([idb.clear("kv"), idb.clear("outbox"), idb.clear("sent")]).then(render);
  });
  window.addEventListener("online", sync);
  window.addEventListener("offline", refresh);
  window.addEventListener("hashchange", render);
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(BODY.dataset.sw, { scope: BODY.dataset.scope }).catch(function () {});
  }
  render().then(sync);
})();
