/* Searchable picker: turns every <select data-picker> into an accessible combobox (WAI-ARIA 1.2
 * combobox with a listbox popup) that filters as you type. The <select> stays in the form, hidden,
 * and is what posts: without JavaScript the page shows the plain select, and the server validates
 * the value against the same choices either way.
 *
 * Options whose text is a path ("清城区 · 凤城街道 · 应急管理局") show the path muted before the name;
 * typing any part of the path finds them ("清城 应急" finds every 应急 office in 清城区). A <select
 * multiple> becomes chips with a remove button each. Texts come from the <script> tag's data-*
 * attributes (translated in base.html).
 */
(function () {
  const script = document.currentScript;
  const T = {
    more: (script && script.dataset.more) || "还有 {n} 项,请输入更多文字缩小范围",
    none: (script && script.dataset.none) || "没有匹配的选项",
    remove: (script && script.dataset.remove) || "移除",
    chosen: (script && script.dataset.chosen) || "已选 {n} 项",
    hint: (script && script.dataset.hint) || "输入名称搜索",
  };
  const MAX_SHOWN = 100;
  const SEP = /\s*[·›>]\s*/;
  let seq = 0;

  function norm(s) { return (s || "").toLowerCase().replace(/\s+/g, " ").trim(); }
  function fmt(s, n) { return s.replace("{n}", String(n)); }

  function labelText(select) {
    const explicit = select.getAttribute("aria-label");
    if (explicit) return explicit;
    const outer = select.closest("label");
    if (!outer) return "";
    return [...outer.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent).join(" ").trim();
  }

  function enhance(select) {
    if (select.dataset.pickerReady) return;
    select.dataset.pickerReady = "1";
    const multiple = select.multiple;
    const uid = (select.id || "picker") + "-" + (++seq);
    const items = [...select.options].map((o, i) => {
      const group = o.parentElement && o.parentElement.tagName === "OPTGROUP" ? o.parentElement.label : "";
      const parts = o.text.split(SEP);
      return {i, option: o, value: o.value, text: o.text, name: parts[parts.length - 1],
        path: parts.length > 1 ? o.text.slice(0, o.text.length - parts[parts.length - 1].length) : "",
        key: norm(o.text + " " + group)};
    });

    const wrap = document.createElement("div");
    wrap.className = "picker";
    wrap.dataset.testid = "picker-" + (select.name || uid);
    const chips = document.createElement("div");
    chips.className = "picker-chips";
    const input = document.createElement("input");
    input.type = "text";
    input.className = "picker-input";
    input.id = uid + "-search";
    input.autocomplete = "off";
    input.spellcheck = false;
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", uid + "-listbox");
    input.placeholder = select.dataset.pickerPlaceholder || T.hint;
    const list = document.createElement("ul");
    list.id = uid + "-listbox";
    list.className = "picker-list";
    list.setAttribute("role", "listbox");
    if (multiple) list.setAttribute("aria-multiselectable", "true");
    list.hidden = true;
    const count = document.createElement("span");
    count.className = "picker-count";
    count.setAttribute("aria-live", "polite");

    const label = select.id ? document.querySelector('label[for="' + select.id + '"]') : null;
    if (label) {
      if (!label.id) label.id = uid + "-label";
      input.setAttribute("aria-labelledby", label.id);
      list.setAttribute("aria-labelledby", label.id);
      label.htmlFor = input.id;
    } else {
      const text = labelText(select);
      if (text) { input.setAttribute("aria-label", text); list.setAttribute("aria-label", text); }
    }

    if (multiple) { wrap.appendChild(chips); }
    wrap.appendChild(input);
    wrap.appendChild(list);
    if (multiple) wrap.appendChild(count);
    select.insertAdjacentElement("afterend", wrap);
    // Visually hidden, not `hidden`: it still posts, and scripts (and tests) that set it directly
    // keep working; the combobox follows its changes.
    select.classList.add("picker-native");
    select.setAttribute("aria-hidden", "true");
    select.tabIndex = -1;
    select.removeAttribute("required");  // a hidden control cannot show the browser's message; the server checks

    let shown = [];
    let active = -1;

    function selectedText() {
      const o = select.options[select.selectedIndex];
      return o && o.value ? o.text : "";
    }
    function syncFromSelect() {
      if (multiple) {
        chips.textContent = "";
        items.filter(it => it.option.selected && it.value).forEach(it => {
          const chip = document.createElement("span");
          chip.className = "picker-chip";
          chip.textContent = it.text;
          const x = document.createElement("button");
          x.type = "button";
          x.textContent = "×";
          x.setAttribute("aria-label", T.remove + " " + it.text);
          x.addEventListener("click", () => { it.option.selected = false; changed(); input.focus(); });
          chip.appendChild(x);
          chips.appendChild(chip);
        });
        const n = items.filter(it => it.option.selected && it.value).length;
        count.textContent = n ? fmt(T.chosen, n) : "";
      } else if (document.activeElement !== input) {
        input.value = selectedText();
      }
      if (!list.hidden) render();
    }
    function changed() {
      syncFromSelect();
      select.dispatchEvent(new Event("change", {bubbles: true}));
    }
    function open() {
      if (!list.hidden) return;
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      render();
    }
    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
    function matches() {
      const q = norm(multiple || input.value !== selectedText() ? input.value : "");
      const tokens = q ? q.split(" ") : [];
      return items.filter(it => (it.value || (!multiple && !tokens.length)) && tokens.every(t => it.key.includes(t)));
    }
    function render() {
      const found = matches();
      shown = found.slice(0, MAX_SHOWN);
      list.textContent = "";
      shown.forEach((it, n) => {
        const li = document.createElement("li");
        li.id = uid + "-opt-" + it.i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", it.option.selected && (multiple || it.value) ? "true" : "false");
        if (it.path) { const p = document.createElement("span"); p.className = "path"; p.textContent = it.path; li.appendChild(p); }
        li.appendChild(document.createTextNode(it.name || it.text));
        li.addEventListener("mousedown", e => e.preventDefault());
        li.addEventListener("click", () => choose(n));
        list.appendChild(li);
      });
      const note = found.length === 0 ? T.none : (found.length > shown.length ? fmt(T.more, found.length - shown.length) : "");
      if (note) {
        const li = document.createElement("li");
        li.className = "note";
        li.setAttribute("role", "presentation");
        li.textContent = note;
        list.appendChild(li);
      }
      if (active >= shown.length) active = shown.length - 1;
      highlight();
    }
    function highlight() {
      [...list.querySelectorAll("li[role=option]")].forEach((li, n) => li.classList.toggle("active", n === active));
      if (active >= 0 && shown[active]) {
        const li = document.getElementById(uid + "-opt-" + shown[active].i);
        input.setAttribute("aria-activedescendant", li.id);
        li.scrollIntoView({block: "nearest"});
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }
    function choose(n) {
      const it = shown[n];
      if (!it) return;
      if (multiple) {
        it.option.selected = !it.option.selected;
        input.value = "";
        changed();
        render();
      } else {
        select.value = it.value;
        input.value = it.value ? it.text : "";
        close();
        changed();
      }
    }

    input.addEventListener("focus", () => { if (!multiple) input.select(); open(); });
    input.addEventListener("click", open);
    input.addEventListener("input", () => { active = 0; if (list.hidden) open(); else render(); });
    input.addEventListener("keydown", e => {
      if (e.key === "ArrowDown") { e.preventDefault(); open(); active = Math.min(active + 1, shown.length - 1); highlight(); }
      else if (e.key === "ArrowUp") { e.preventDefault(); open(); active = Math.max(active - 1, 0); highlight(); }
      else if (e.key === "Enter") { if (!list.hidden && active >= 0) { e.preventDefault(); choose(active); } }
      else if (e.key === "Escape") { if (!list.hidden) { e.preventDefault(); close(); if (!multiple) input.value = selectedText(); } }
      else if (e.key === "Backspace" && multiple && !input.value) {
        const last = items.filter(it => it.option.selected && it.value).pop();
        if (last) { last.option.selected = false; changed(); }
      }
      else if (e.key === "Tab") close();
    });
    input.addEventListener("blur", () => {
      close();
      if (!multiple) {
        if (!input.value.trim() && select.value && [...select.options].some(o => o.value === "")) {
          select.value = ""; changed();
        }
        input.value = selectedText();
      } else {
        input.value = "";
      }
    });
    // Someone else set the value (a map click in a place picker): show it.
    select.addEventListener("pingan:set", syncFromSelect);
    select.addEventListener("change", syncFromSelect);
    syncFromSelect();
  }

  function enhanceAll(root) {
    (root || document).querySelectorAll("select[data-picker]").forEach(enhance);
  }
  document.addEventListener("DOMContentLoaded", () => enhanceAll(document));
  document.addEventListener("htmx:afterSwap", e => enhanceAll(e.target));
  window.Pingan = window.Pingan || {};
  window.Pingan.picker = {enhance, enhanceAll};
})();
