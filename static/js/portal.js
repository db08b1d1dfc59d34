// Small progressive enhancements; every page works without them.
document.addEventListener("DOMContentLoaded", () => {
  // Move focus to the error summary after a failed submission.
  const summary = document.querySelector("[data-error-summary]");
  if (summary) summary.focus();

  // Ask before destructive actions marked with data-confirm.
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });

  // A long list of checkboxes (data-filterable) gets a box that narrows it by label text.
  const groups = new Map();
  document.querySelectorAll("input[type=checkbox][data-filterable]").forEach((box) => {
    const key = box.dataset.filterable;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(box.closest(".form-check") || box.parentElement);
  });
  groups.forEach((items, key) => {
    if (items.length < 8) return;
    const list = items[0].parentElement;
    list.classList.add("filterable-list");
    const label = document.createElement("label");
    label.className = "form-label small mb-1";
    label.htmlFor = `filter-${key}`;
    label.textContent = "Find a colleague by name";
    const input = document.createElement("input");
    input.type = "search";
    input.id = `filter-${key}`;
    input.className = "form-control form-control-sm mb-2";
    input.autocomplete = "off";
    input.addEventListener("input", () => {
      const words = input.value.trim().toLowerCase();
      items.forEach((item) => {
        const checked = item.querySelector("input")?.checked;
        item.hidden = Boolean(words) && !checked && !item.textContent.toLowerCase().includes(words);
      });
    });
    list.before(label, input);
  });

  // Wide tables (table-stack) become one card per row on a phone: each cell is labelled with
  // its column's header (static/css/portal.css shows the label before the value).
  document.querySelectorAll("table.table-stack").forEach((table) => {
    const headers = [...table.querySelectorAll("thead th")].map((th) => th.textContent.trim());
    table.querySelectorAll("tbody tr").forEach((row) => {
      [...row.cells].forEach((cell, index) => {
        if (headers[index] && !cell.dataset.label) cell.dataset.label = headers[index];
      });
    });
  });

  // A table still wider than the screen scrolls in its box: the box takes keyboard focus (so it
  // can be scrolled without a mouse) and is named after the table (axe: scrollable-region-focusable).
  document.querySelectorAll(".table-responsive:not([tabindex])").forEach((box) => {
    if (box.scrollWidth <= box.clientWidth) return;
    const table = box.querySelector("table");
    const name = table?.caption?.textContent.trim() || table?.getAttribute("aria-label") || "Table";
    box.tabIndex = 0;
    box.setAttribute("role", "region");
    box.setAttribute("aria-label", `${name} (scrolls sideways)`);
  });

  // Copy-to-clipboard buttons (certificate codes, verification links).
  document.querySelectorAll("[data-copy]").forEach((button) => {
    button.addEventListener("click", () => navigator.clipboard?.writeText(button.dataset.copy));
  });
});
