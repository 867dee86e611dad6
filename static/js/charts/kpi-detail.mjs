// The KPI detail page's chart: the figures, target, goals, benchmarks, SPC mean and process
// limits, with special causes marked by shape as well as colour. The data comes from the
// page's json_script element; the table below the chart carries the same figures.
const Chart = window.Chart;

const COLOURS = {
  figure: "#0b0c0c",
  "common-cause": "#484949",
  improvement: "#1d70b8",
  concern: "#b7592a",
  neutral: "#54319f",
  limit: "#858686",
  target: "#0f7a52",
  goal: "#54319f",
  benchmark: "#ca357c",
};
const SHAPES = { improvement: "triangle", concern: "rectRot", neutral: "rect" };

function formatter(unit, decimals) {
  const number = new Intl.NumberFormat("en-GB", {
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
  });
  return (value) => {
    if (value === null || value === undefined) return "no data";
    if (unit === "percent") return `${number.format(value)}%`;
    if (unit === "money") return `£${number.format(value)}`;
    if (unit === "days") return `${number.format(value)} days`;
    return number.format(value);
  };
}

function flat(labels, value) {
  return labels.map(() => value);
}

// The SPC mean and process limits: grey, dashed, drawn behind the figures.
function processLine(label, data, dash) {
  return {
    label,
    data,
    borderColor: COLOURS.limit,
    borderDash: dash,
    borderWidth: 1.5,
    pointRadius: 0,
    pointStyle: "line",
    order: 2,
  };
}

function draw(canvas, data) {
  const format = formatter(data.unit, data.decimals);
  const kinds = data.special;
  const datasets = [
    {
      label: "Figure",
      data: data.values,
      borderColor: COLOURS.figure,
      backgroundColor: kinds.map((kind) => COLOURS[kind] || COLOURS.figure),
      pointStyle: kinds.map((kind) => SHAPES[kind] || "circle"),
      pointRadius: kinds.map((kind) => (SHAPES[kind] ? 7 : 3)),
      pointHoverRadius: kinds.map((kind) => (SHAPES[kind] ? 9 : 5)),
      borderWidth: 2,
      spanGaps: false,
      order: 0,
    },
  ];
  if (data.mean !== null) {
    const limits = data.trial ? " (trial)" : "";
    datasets.push(
      processLine(`SPC mean${limits}`, flat(data.labels, data.mean), [8, 4]),
      processLine(`Upper process limit${limits}`, flat(data.labels, data.upper), [3, 3]),
      processLine(`Lower process limit${limits}`, flat(data.labels, data.lower), [3, 3]),
    );
  }
  if (data.targets.some((value) => value !== null)) {
    datasets.push({
      label: "Target",
      data: data.targets,
      borderColor: COLOURS.target,
      borderWidth: 2,
      stepped: true,
      pointRadius: 0,
      pointStyle: "line",
      order: 1,
    });
  }
  for (const [key, items, style] of [
    ["goal", data.goals, "star"],
    ["benchmark", data.benchmarks, "crossRot"],
  ]) {
    for (const item of items) {
      datasets.push({
        label: item.name,
        data: [{ x: item.label, y: item.value }],
        showLine: false,
        borderColor: COLOURS[key],
        backgroundColor: COLOURS[key],
        pointStyle: style,
        pointRadius: 9,
        borderWidth: 2,
        order: 0,
      });
    }
  }
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
          callbacks: {
            label: (context) => `${context.dataset.label}: ${format(context.parsed.y)}`,
            afterLabel: (context) => {
              const kind = context.datasetIndex === 0 ? kinds[context.dataIndex] : "";
              return kind && kind !== "common-cause" ? `Special cause: ${kind}` : "";
            },
          },
        },
      },
      scales: {
        y: { ticks: { callback: (value) => format(value) } },
        x: { ticks: { autoSkip: true, maxRotation: 0 } },
      },
    },
  });
}

const source = document.getElementById("kpi-chart-data");
const canvas = document.getElementById("kpi-chart");
if (Chart && source && canvas) {
  const chart = draw(canvas, JSON.parse(source.textContent));
  canvas.dataset.drawn = String(chart.data.datasets.length);
}
