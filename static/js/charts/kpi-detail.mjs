// The KPI detail page's chart: the figures, target, goals, benchmarks, and each SPC baseline's
// own mean and process limits (a p-chart's step with each month's base), with special causes
// marked by shape as well as colour; change points and dated events are vertical lines with
// labels. The value axis and its labels come from the page (kpis/axes.py), so they follow the
// KPI's decimals. The data comes from the page's json_script element; the table below the
// chart carries the same figures.
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
  change: "#0b0c0c",
  event: "#505a5f",
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

// The SPC mean and process limits: grey, dashed, drawn behind the figures; one set per
// baseline, null outside it, so no line joins one baseline to the next.
function processLine(label, data, dash, stepped) {
  return {
    label,
    data,
    borderColor: COLOURS.limit,
    borderDash: dash,
    borderWidth: 1.5,
    pointRadius: 0,
    pointStyle: "line",
    spanGaps: false,
    stepped: stepped ? "middle" : false,
    order: 2,
  };
}

// Vertical lines at change points (solid, labelled with where the new limits start) and at
// dated events (dotted, numbered as the list below the chart numbers them).
const markers = {
  id: "sctMarkers",
  afterDatasetsDraw(chart, _args, options) {
    const { ctx, chartArea, scales } = chart;
    const mark = (index, text, colour, dash, row) => {
      const x = scales.x.getPixelForValue(index);
      ctx.save();
      ctx.strokeStyle = colour;
      ctx.lineWidth = 2;
      ctx.setLineDash(dash);
      ctx.beginPath();
      ctx.moveTo(x, chartArea.top);
      ctx.lineTo(x, chartArea.bottom);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.font = "bold 13px system-ui, sans-serif";
      const width = ctx.measureText(text).width + 8;
      const left = Math.min(Math.max(x + 3, chartArea.left), chartArea.right - width);
      const top = chartArea.top + 2 + row * 18;
      ctx.fillStyle = "#ffffff";
      ctx.fillRect(left, top, width, 17);
      ctx.fillStyle = colour;
      ctx.fillText(text, left + 4, top + 13);
      ctx.restore();
    };
    options.changes.forEach((change) =>
      mark(change.index, `New limits from ${change.label}`, COLOURS.change, [], 0),
    );
    options.annotations.forEach((event, number) =>
      mark(event.index, `${number + 1}. ${event.text}`, COLOURS.event, [2, 3], 1 + (number % 2)),
    );
  },
};

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
  const stepped = data.chart === "p";
  const several = data.segments.length > 1;
  for (const segment of data.segments) {
    const name = several ? `, ${segment.label.split(":")[0].replace("From", "from")}` : "";
    const limits = segment.trial ? " (trial)" : "";
    datasets.push(
      processLine(`SPC mean${limits}${name}`, segment.mean, [8, 4], stepped),
      processLine(`Upper process limit${limits}${name}`, segment.upper, [3, 3], stepped),
      processLine(`Lower process limit${limits}${name}`, segment.lower, [3, 3], stepped),
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
  const axis = data.axis;
  return new Chart(canvas, {
    type: "line",
    data: { labels: data.labels, datasets },
    plugins: [markers],
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      interaction: { mode: "nearest", intersect: false },
      plugins: {
        sctMarkers: { changes: data.changes, annotations: data.annotations },
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
        // Exactly the lines the page computed (kpis/axes.py), labelled as it labels them.
        y: {
          min: axis.min,
          max: axis.max,
          afterBuildTicks: (scale) => {
            scale.ticks = axis.ticks.map((value) => ({ value }));
          },
          ticks: {
            autoSkip: false,
            callback: (value) => {
              const at = axis.ticks.indexOf(value);
              return at >= 0 ? axis.labels[at] : format(value);
            },
          },
        },
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
