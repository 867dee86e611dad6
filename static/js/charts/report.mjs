// The report's headline charts: one line chart per headline measure, drawn from the
// json_script element named by the canvas's data-source. The table beside each chart
// carries the same figures.
const Chart = window.Chart;

function formatter(unit, decimals) {
  const number = new Intl.NumberFormat("en-GB", {
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
  });
  return (value) => (unit === "percent" ? `${number.format(value)}%` : number.format(value));
}

for (const canvas of document.querySelectorAll("canvas[data-source]")) {
  const source = document.getElementById(canvas.dataset.source);
  if (!Chart || !source) continue;
  const data = JSON.parse(source.textContent);
  const format = formatter(data.unit, data.decimals);
  const chart = new Chart(canvas, {
    type: "line",
    data: {
      labels: data.labels,
      datasets: [
        {
          label: data.title,
          data: data.values,
          borderColor: "#0b0c0c",
          backgroundColor: "#0b0c0c",
          borderWidth: 2,
          pointRadius: 4,
        },
      ],
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      plugins: {
        legend: { display: false },
        tooltip: { callbacks: { label: (context) => format(context.parsed.y) } },
      },
      scales: { y: { ticks: { callback: (value) => format(value) } } },
    },
  });
  canvas.dataset.drawn = String(chart.data.datasets.length);
}
