// briefgen workspace: live updates, filters, sorting, copy buttons, build buttons.
// Plain JavaScript, no library, no network but this server.
"use strict";

(function () {
  const main = document.getElementById("main");
  const status = document.getElementById("live-status");
  const token = document.querySelector('meta[name="briefgen-token"]').content;
  let generation = 0;

  function filterValues() {
    const values = {};
    main.querySelectorAll("form.filters [name]").forEach((el) => { values[el.name] = el.value; });
    return values;
  }

  function restoreFilters(values) {
    main.querySelectorAll("form.filters [name]").forEach((el) => {
      if (values[el.name] !== undefined) el.value = values[el.name];
    });
  }

  function applyFindingFilters(form) {
    const list = document.getElementById("findings");
    if (!list) return;
    const want = {};
    form.querySelectorAll("[name]").forEach((el) => { want[el.name] = el.value; });
    let shown = 0;
    list.querySelectorAll("li.finding").forEach((li) => {
      const ok = (!want.rule || li.dataset.rule === want.rule) &&
        (!want.severity || li.dataset.severity === want.severity) &&
        (!want.file || li.dataset.file === want.file) &&
        (!want.briefs || (li.dataset.briefs || "").split(" ").includes(want.briefs));
      li.hidden = !ok;
      shown += ok ? 1 : 0;
    });
    const none = document.getElementById("no-match");
    if (none) none.hidden = shown > 0;
  }

  function applyLedgerFilters(form) {
    const want = {};
    form.querySelectorAll("[name]").forEach((el) => { want[el.name] = el.value.trim().toLowerCase(); });
    main.querySelectorAll("#ledger tbody tr").forEach((tr) => {
      tr.hidden = !((!want.status || tr.dataset.status === want.status) &&
        (!want.section || tr.dataset.section.toLowerCase().includes(want.section)) &&
        (!want.keys || tr.dataset.keys.toLowerCase().includes(want.keys)));
    });
  }

  function setupFilters() {
    main.querySelectorAll("form.filters").forEach((form) => {
      const apply = form.dataset.filter === "ledger" ? applyLedgerFilters : applyFindingFilters;
      form.addEventListener("input", () => apply(form));
      form.addEventListener("submit", (e) => { e.preventDefault(); apply(form); });
      apply(form);
    });
  }

  function setupSorting() {
    main.querySelectorAll("table.sortable").forEach((table) => {
      table.querySelectorAll("thead button[data-sort]").forEach((button) => {
        button.addEventListener("click", () => {
          const column = Number(button.dataset.sort);
          const th = button.closest("th");
          const ascending = th.getAttribute("aria-sort") !== "ascending";
          table.querySelectorAll("thead th").forEach((h) => h.setAttribute("aria-sort", "none"));
          th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
          const body = table.tBodies[0];
          const rows = Array.from(body.rows);
          const key = (tr) => { const td = tr.cells[column]; return td.dataset.value || td.textContent.trim(); };
          rows.sort((a, b) => key(a).localeCompare(key(b), undefined, { numeric: true }) * (ascending ? 1 : -1));
          rows.forEach((tr) => body.appendChild(tr));
        });
      });
    });
  }

  function setupCopy() {
    main.querySelectorAll("button.copy").forEach((button) => {
      button.addEventListener("click", async () => {
        try {
          await navigator.clipboard.writeText(button.dataset.copy);
          button.firstChild.textContent = "Copied";
        } catch (_) {
          button.firstChild.textContent = "Select and copy";
        }
      });
    });
  }

  function markText(container, text, className) {
    if (!text) return;
    const walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.parentElement.closest("aside, mark")) continue;
      const at = node.data.indexOf(text);
      if (at < 0) continue;
      const range = document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + text.length);
      const mark = document.createElement("mark");
      mark.className = className;
      range.surroundContents(mark);
      return;
    }
  }

  function setupBrief() {
    main.querySelectorAll("article.brief-body .bg-section").forEach((section) => {
      section.querySelectorAll("aside li.finding").forEach((li) => {
        if (li.dataset.rule === "terminology") markText(section, li.dataset.text, "bg-term");
        if (li.dataset.rule === "unknown-key") markText(section, li.dataset.text.replace(/^@/, ""), "bg-key");
      });
    });
    main.querySelectorAll('section[aria-labelledby="brief-findings"] li.finding').forEach((li) => {
      const key = li.id.replace(/^f-/, "");
      const target = document.getElementById("u-" + key) || document.getElementById("i-" + key);
      if (!target) return;
      const link = document.createElement("a");
      link.href = "#" + target.id;
      link.className = "in-text";
      link.textContent = "in the text";
      li.append(" ", link);
    });
    main.querySelectorAll('article.brief-body a[role="doc-biblioref"]').forEach((a) => {
      const entry = document.getElementById(decodeURIComponent(a.hash.slice(1)));
      if (entry) a.title = entry.textContent.replace(/\s+/g, " ").trim();
    });
    main.querySelectorAll("form.switcher select, form.switcher input").forEach((el) => {
      el.addEventListener("change", () => el.form.requestSubmit());
    });
    main.querySelectorAll("form.build").forEach((form) => {
      form.addEventListener("submit", async (e) => {
        e.preventDefault();
        const out = main.querySelector(".outputs");
        out.textContent = "Building " + form.elements.format.value.toUpperCase() + "…";
        const response = await fetch(form.action, {
          method: "POST", body: new URLSearchParams(new FormData(form)), headers: { Accept: "application/json" },
        });
        const result = await response.json();
        if (result.problems.length) {
          out.textContent = "Refused: " + result.problems.map((p) => p.rule + " " + p.file + ":" + p.line + " " + p.message).join("; ");
        } else {
          await refresh();
        }
      });
    });
  }

  function enhance() {
    setupFilters();
    setupSorting();
    setupCopy();
    setupBrief();
  }

  function depends(files) {
    const page = main.querySelector("[data-inputs]");
    if (!page) return true;
    const inputs = page.dataset.inputs.split(" ");
    return files.some((f) => inputs.includes(f) || !f.startsWith("briefs/sections/"));
  }

  async function refresh() {
    const url = new URL(location.href);
    url.searchParams.set("fragment", "1");
    const response = await fetch(url, { headers: { Accept: "text/html" } });
    if (!response.ok) return;
    const html = await response.text();
    const x = window.scrollX, y = window.scrollY;
    const values = filterValues();
    main.innerHTML = html;
    restoreFilters(values);
    enhance();
    window.scrollTo(x, y);
    main.dataset.generation = String(generation);
    document.dispatchEvent(new CustomEvent("briefgen:updated", { detail: generation }));
  }

  function listen() {
    const events = new EventSource("/events");
    events.addEventListener("hello", (e) => {
      status.textContent = "Live";
      status.classList.remove("offline");
      const seen = JSON.parse(e.data).generation;
      if (generation && seen !== generation) refresh();
      generation = seen;
      main.dataset.generation = String(generation);
    });
    events.addEventListener("change", (e) => {
      const message = JSON.parse(e.data);
      generation = message.generation;
      if (depends(message.files)) refresh();
      else main.dataset.generation = String(generation);
    });
    events.onerror = () => {
      status.textContent = "Offline: is briefgen serve still running?";
      status.classList.add("offline");
    };
  }

  void token;
  enhance();
  listen();
})();
