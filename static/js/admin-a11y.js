// Accessible names for admin widgets that Django renders without one: fields in tabular
// inlines (their label is the column header) and Select2 autocompletes (named after the
// select they replace). Runs on load and again whenever a row or widget is added.
(function () {
  "use strict";

  function columnHeader(cell) {
    const table = cell.closest("table");
    if (!table) return "";
    const row = cell.parentElement;
    const index = Array.prototype.indexOf.call(row.children, cell);
    const headerRow = table.querySelector("thead tr");
    const header = headerRow && headerRow.children[index];
    return header ? header.textContent.replace(/\s+/g, " ").trim() : "";
  }

  function labelFor(field) {
    if (field.id) {
      const label = document.querySelector('label[for="' + CSS.escape(field.id) + '"]');
      if (label && label.textContent.trim()) return label.textContent.replace(/[:\s]+$/, "").trim();
    }
    const cell = field.closest("td");
    if (cell) {
      const header = columnHeader(cell);
      const row = cell.closest("tr");
      const rows = row && row.parentElement ? Array.prototype.filter.call(
        row.parentElement.children, (r) => r.classList.contains("form-row")) : [];
      const number = rows.indexOf(row) + 1;
      if (header) return number > 0 ? header + " (row " + number + ")" : header;
    }
    return field.name || "";
  }

  function hasName(field) {
    if (field.getAttribute("aria-label") || field.getAttribute("aria-labelledby")) return true;
    if (field.labels && field.labels.length) return true;
    return field.closest("label") !== null;
  }

  function nameFields(root) {
    root.querySelectorAll("td input:not([type=hidden]), td select, td textarea").forEach((field) => {
      if (!hasName(field)) {
        const name = labelFor(field);
        if (name) field.setAttribute("aria-label", name);
      }
    });
    root.querySelectorAll(".select2-container").forEach((container) => {
      const select = container.previousElementSibling;
      if (!select || select.tagName !== "SELECT") return;
      const name = labelFor(select);
      if (!name) return;
      container.querySelectorAll(".select2-selection[role=combobox]").forEach((box) => {
        box.setAttribute("aria-label", name);
        box.removeAttribute("aria-labelledby");
      });
      container.querySelectorAll(".select2-selection__rendered[role=textbox]").forEach((text) => {
        text.setAttribute("aria-label", name);
      });
    });
  }

  function start() {
    nameFields(document);
    let queued = false;
    new MutationObserver(() => {
      if (queued) return;
      queued = true;
      window.requestAnimationFrame(() => {
        queued = false;
        nameFields(document);
      });
    }).observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "complete") start();
  else window.addEventListener("load", start);
})();
