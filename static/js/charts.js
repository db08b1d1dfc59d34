// Charts drawn from the data tables beside them (Chart.js, served from static/).
//
// Mark up a chart as a <figure data-chart="bar|line|hbar|doughnut"> holding a <table>:
// the first column (th scope="row") labels each row, every further column is one series,
// named by its <thead> header; a cell's data-value, when present, is read instead of its text.
// The table stays in the page for screen readers and for anyone who prefers figures, so the
// canvas is hidden from assistive technology. Add data-stacked to stack the series.
(() => {
  const PALETTE = ["#0b5394", "#b45f06", "#38761d", "#741b47", "#134f5c", "#7f6000"];

  const number = (cell) => {
    const raw = cell.dataset.value ?? cell.textContent.replace(/[^0-9.\-]/g, "");
    const value = Number.parseFloat(raw);
    return Number.isFinite(value) ? value : null;
  };

  const readTable = (table) => {
    const headers = [...table.querySelectorAll("thead th")].map((th) => th.textContent.trim());
    const rows = [...table.querySelectorAll("tbody tr")];
    const labels = rows.map((row) => row.cells[0].textContent.trim());
    const series = headers.slice(1).map((name, index) => ({
      label: name,
      data: rows.map((row) => (row.cells[index + 1] ? number(row.cells[index + 1]) : null)),
    }));
    return { labels, series };
  };

  const draw = (figure) => {
    const table = figure.querySelector("table");
    if (!table || !window.Chart) return;
    const { labels, series } = readTable(table);
    if (!labels.length) return;
    const kind = figure.dataset.chart || "bar";
    const stacked = figure.hasAttribute("data-stacked");
    const holder = document.createElement("div");
    holder.className = "chart-canvas";
    const canvas = document.createElement("canvas");
    canvas.setAttribute("aria-hidden", "true");
    holder.append(canvas);
    table.closest(".table-responsive, details, table").before(holder);
    const doughnut = kind === "doughnut";
    new window.Chart(canvas, {
      type: kind === "hbar" ? "bar" : kind,
      data: {
        labels,
        datasets: series.map((set, index) => ({
          ...set,
          backgroundColor: doughnut ? PALETTE : PALETTE[index % PALETTE.length],
          borderColor: doughnut ? "#fff" : PALETTE[index % PALETTE.length],
          tension: 0.2,
        })),
      },
      options: {
        indexAxis: kind === "hbar" ? "y" : "x",
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: doughnut || series.length > 1 } },
        scales: doughnut ? {} : { x: { stacked }, y: { stacked, beginAtZero: true } },
      },
    });
  };

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("figure[data-chart]").forEach(draw);
  });
})();
