// Draws the finance page's bar charts from the JSON each canvas names (data-chart-data).
// Chart.js is loaded before this module as a classic script (static chartjs/chart.umd.min.js).
// Series differ by fill (outline against solid) as well as by name, never by colour alone;
// every chart has a sentence and a table twin on the page.

const INK = "#0b0c0c";
const BLUE = "#1d70b8";
const WHITE = "#ffffff";

function shortMoney(value) {
  const size = Math.abs(value);
  const sign = value < 0 ? "-" : "";
  if (size >= 1_000_000) {
    return `${sign}£${Number((size / 1_000_000).toFixed(2))}m`;
  }
  if (size >= 1_000) {
    return `${sign}£${Number((size / 1_000).toFixed(1))}k`;
  }
  return `${sign}£${size.toLocaleString("en-GB")}`;
}

function dataset(series) {
  const solid = series.style === "solid";
  return {
    label: series.name,
    data: series.values.map((value) => (value === null ? null : Number(value))),
    texts: series.texts,
    backgroundColor: solid ? BLUE : WHITE,
    borderColor: solid ? BLUE : INK,
    borderWidth: 2,
  };
}

function draw(canvas, spec) {
  const reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  return new window.Chart(canvas, {
    type: "bar",
    data: { labels: spec.labels, datasets: spec.series.map(dataset) },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: reduceMotion ? false : { duration: 300 },
      plugins: {
        legend: { position: "bottom", labels: { color: INK, font: { size: 16 } } },
        tooltip: {
          callbacks: {
            label: (item) => `${item.dataset.label}: ${item.dataset.texts[item.dataIndex]}`,
          },
        },
      },
      scales: {
        x: { ticks: { color: INK, font: { size: 14 } }, grid: { display: false } },
        y: {
          beginAtZero: true,
          ticks: { color: INK, font: { size: 14 }, callback: (value) => shortMoney(value) },
        },
      },
    },
  });
}

function drawAll() {
  if (!window.Chart) {
    return; // no Chart.js: the sentence and the table carry the figures
  }
  for (const canvas of document.querySelectorAll("canvas[data-chart-data]")) {
    const source = document.getElementById(canvas.dataset.chartData);
    if (source) {
      draw(canvas, JSON.parse(source.textContent));
    }
  }
}

drawAll();
