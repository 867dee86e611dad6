// A target's rule as a sentence, kept up to date as its fields change, before saving.
//
// The words come from the portal (the same checks and the same sentence saving keeps), so the
// preview never says one thing and the saved target another. Each target's <output> is a polite
// live region. Without JavaScript a saved target shows its sentence as saved.

const RULE_FIELDS = [
  "comparison",
  "basis",
  "value",
  "upper",
  "comparator",
  "statistic",
  "baseline_month",
  "amber",
  "amber_value",
  "valid_from",
];
// On a KPI's own page the KPI may not be saved yet: its unit, decimals and polarity are read
// from the page's own fields, as they stand.
const KPI_FIELDS = ["ref", "unit", "decimals", "polarity", "frequency"];
const PAUSE = 300; // milliseconds after the last keystroke

const pending = new WeakMap();

// The target an element belongs to: its inline form on a KPI's page, or the whole form on
// the target's own page.
function targetOf(element) {
  const inline = element.closest(".inline-related");
  if (inline) return inline.querySelector("output.target-rule") ? inline : null;
  const form = element.closest("form");
  const output = form && form.querySelector("output.target-rule");
  return output && !output.closest(".inline-related") ? form : null;
}

function isTemplate(container) {
  return container.classList.contains("empty-form") || container.id.includes("__prefix__");
}

function field(container, name) {
  return container.querySelector(`[name="${name}"], [name$="-${name}"]`);
}

function query(container) {
  const params = new URLSearchParams();
  for (const name of RULE_FIELDS) {
    const input = field(container, name);
    if (input) params.set(name, input.value);
  }
  const kpi = document.querySelector('form [name="kpi"]');
  if (kpi) {
    params.set("kpi", kpi.value);
  } else {
    for (const name of KPI_FIELDS) {
      const input = document.getElementById(`id_${name}`);
      if (input) params.set(name, input.value);
    }
  }
  return params;
}

async function describe(container) {
  const output = container.querySelector("output.target-rule");
  const params = query(container);
  try {
    const response = await fetch(`${output.dataset.url}?${params}`, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    if (!response.ok) throw new Error(String(response.status));
    const found = await response.json();
    output.textContent = found.sentence
      ? found.sentence
      : `Not a complete rule yet: ${found.problems.join(" ")}`;
  } catch {
    output.textContent = "The rule could not be checked just now; it is checked again on saving.";
  }
}

function later(container) {
  clearTimeout(pending.get(container));
  pending.set(
    container,
    setTimeout(() => describe(container), PAUSE),
  );
}

function everyTarget() {
  const found = new Set();
  for (const output of document.querySelectorAll("output.target-rule")) {
    const container = targetOf(output);
    if (container && !isTemplate(container)) found.add(container);
  }
  return found;
}

function changed(event) {
  const element = event.target;
  if (!(element instanceof Element)) return;
  const container = targetOf(element);
  if (container) {
    if (!isTemplate(container)) later(container);
    return;
  }
  // A change to the KPI itself (its unit, decimals, polarity) changes every target's words.
  const name = element.getAttribute("name");
  if (KPI_FIELDS.includes(name) || name === "kpi") everyTarget().forEach(later);
}

document.addEventListener("input", changed);
document.addEventListener("change", changed);
document.addEventListener("formset:added", (event) => {
  const container = targetOf(event.target);
  if (container) describe(container);
});
everyTarget().forEach((container) => {
  // A saved target already shows its sentence; a new one is described straight away.
  const id = field(container, "id");
  if (!id || !id.value) describe(container);
});
