// The benchmark page's charts: the authority, its statistical neighbours' median and mean,
// its region and England over the years, and the latest period's neighbours in order. The
// data comes from the page's json_script element; the tables beside the charts carry it
// too. Lines differ by dash and point shape as well as colour.
const Chart = window.Chart;

const LINES = {
  own: { colour: "#0b0c0c", dash: [], point: "circle", width: 3 },
  median: { colour: "#1d70b8", dash: [8, 4], point: "rectRot", width: 2 },
  mean: { colour: "#54319f", dash: [3, 3], point: "triangle", width: 2 },
  region: { colour: "#0f7a52", dash: [1, 3], point: "rect", width: 2 },
  england: { colour: "#b7592a", dash: [1, 3], point: "crossRot", width: 2 },
};

function formatter(unit, decimals) {
  const number = new Intl.NumberFormat("en-GB", { maximumFractionDigits: decimals + 1 });
  return (value) => {
    if (value === null || value === undefined) return "no figure";
    if (unit === "percent") return `${number.format(value)}%`;
    if (unit === "money") return `£${number.format(value)}`;
    return number.format(value);
  };
}

function drawTrend(canvas, data, format) {
  const datasets = Object.entries(LINES)
    .filter(([key]) => (data.series[key] || []).some((value) => value !== null))
    .map(([key, line]) => ({
      label: data.names[key],
      data: data.series[key],
      borderColor: line.colour,
      backgroundColor: line.colour,
      borderDash: line.dash,
      borderWidth: line.width,
      pointStyle: line.point,
      pointRadius: 5,
      spanGaps: false,
    }));
  return new Chart(canvas, {
    type: "line",
    data: { labels: data.labels, datasets },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      interaction: { mode: "nearest", intersect: false },
      plugins: {
        legend: { position: "bottom", labels: { usePointStyle: true } },
        tooltip: {
          callbacks: { label: (context) => `${context.dataset.label}: ${format(context.parsed.y)}` },
        },
      },
      scales: { y: { ticks: { callback: (value) => format(value) } } },
    },
  });
}

function drawRanked(canvas, data, format) {
  const labels = data.ranked.map((item) => (item.own ? `${item.name} (this authority)` : item.name));
  return new Chart(canvas, {
    type: "bar",
    data: {
      labels,
      datasets: [
        {
          label: "Value",
          data: data.ranked.map((item) => item.value),
          // Both darker than 3:1 against white (WCAG 1.4.11); the label says which is whose.
          backgroundColor: data.ranked.map((item) => (item.own ? "#1d70b8" : "#6f777b")),
          borderColor: "#0b0c0c",
          borderWidth: data.ranked.map((item) => (item.own ? 2 : 0)),
        },
      ],
    },
    options: {
      indexAxis: "y",
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      plugins: {
        legend: { display: false },
        tooltip: { callbacks: { label: (context) => format(context.parsed.x) } },
      },
      scales: { x: { beginAtZero: true, ticks: { callback: (value) => format(value) } } },
    },
  });
}

const source = document.getElementById("benchmark-chart-data");
if (Chart && source) {
  const data = JSON.parse(source.textContent);
  const format = formatter(data.unit, data.decimals);
  const trend = document.getElementById("trend-chart");
  if (trend) trend.dataset.drawn = String(drawTrend(trend, data, format).data.datasets.length);
  const ranked = document.getElementById("ranked-chart");
  if (ranked && data.ranked.length) {
    ranked.dataset.drawn = String(drawRanked(ranked, data, format).data.labels.length);
  }
}
