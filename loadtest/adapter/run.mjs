// Runs a k6 script's user journey once, without k6:
//
//   node --import ./adapter/register.mjs adapter/run.mjs SCRIPT.js
//
// As k6 would with one VU and one iteration: the init context (importing the script, with
// __ENV from the environment), setup(), one iteration of each scenario in options.scenarios
// (its `exec` function, "default" unless named) as VU 1, teardown() with setup's data (copied
// through JSON, as k6 does). Then it prints every check and evaluates options.thresholds.
//
// Exit 1 on a failed check, an error thrown anywhere, a threshold k6 would refuse (an unknown
// metric, an aggregation the metric's type lacks, bad syntax) or a crossed threshold on a
// counter, rate or gauge. Thresholds on trends (latencies) are printed but not enforced: one
// iteration is a handful of samples, no percentile under load (bench/ measures those).
import path from "node:path";
import { pathToFileURL } from "node:url";
import { checks, context, errors, metrics } from "./state.mjs";

const script = process.argv[2];
if (!script || process.argv.length > 3) {
  console.error("usage: node --import ./adapter/register.mjs adapter/run.mjs SCRIPT.js");
  process.exit(2);
}
const label = path.basename(script);
const g = /** @type {Record<string, unknown>} */ (globalThis);
g.__ENV = Object.fromEntries(Object.entries(process.env).filter(([, v]) => typeof v === "string"));
g.__VU = 0;
g.__ITER = 0;

/**
 * @param {string} where
 * @param {() => unknown} fn
 * @returns {{ ok: boolean, value?: unknown }}
 */
function guarded(where, fn) {
  try {
    const value = fn();
    if (value instanceof Promise) throw new Error(`${where} returned a promise; this adapter runs synchronous k6 code only`);
    return { ok: true, value };
  } catch (error) {
    errors.push({ where, error });
    console.log(`  ERROR in ${where}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return { ok: false };
  }
}

const started = performance.now();
console.log(`== ${label}`);
/** @type {Record<string, unknown>} */
let module = {};
try {
  module = await import(pathToFileURL(path.resolve(script)).href);
} catch (error) {
  errors.push({ where: "init", error });
  console.log(`  ERROR in the init context: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
}

const options = /** @type {{ scenarios?: Record<string, { exec?: string }>, thresholds?: Record<string, (string | { threshold: string })[]> }} */ (
  module.options ?? {}
);
const scenarios = Object.entries(options.scenarios ?? { default: {} }).map(([name, s]) => ({
  name,
  exec: s.exec ?? "default",
}));
for (const s of scenarios) {
  if (errors.length === 0 && typeof module[s.exec] !== "function") {
    errors.push({ where: `scenario ${s.name}`, error: new Error(`exec ${s.exec} is not an exported function`) });
    console.log(`  ERROR: scenario ${s.name} runs ${s.exec}, which the script does not export as a function`);
  }
}

if (errors.length === 0) {
  /** @type {unknown} */
  let data;
  let setupOk = true;
  if (typeof module.setup === "function") {
    context.scenario = "setup";
    const setup = /** @type {() => unknown} */ (module.setup);
    const result = guarded("setup()", () => setup());
    setupOk = result.ok;
    data = result.value === undefined ? undefined : JSON.parse(JSON.stringify(result.value));
  }
  // k6 runs no iteration when setup fails, but teardown still runs.
  if (setupOk) {
    for (const s of scenarios) {
      context.scenario = s.name;
      context.group = "";
      g.__VU = 1;
      g.__ITER = 0;
      const exec = /** @type {(data: unknown) => unknown} */ (module[s.exec]);
      const t0 = performance.now();
      console.log(`  scenario ${s.name} (${s.exec}): one iteration`);
      guarded(`scenario ${s.name} (${s.exec})`, () => exec(data === undefined ? undefined : structuredClone(data)));
      metrics.get("iterations")?.samples.push({ value: 1, tags: { scenario: s.name, group: "" } });
      metrics.get("iteration_duration")?.samples.push({ value: performance.now() - t0, tags: { scenario: s.name, group: "" } });
      context.group = "";
    }
  }
  if (typeof module.teardown === "function") {
    context.scenario = "teardown";
    g.__VU = 0;
    const teardown = /** @type {(data: unknown) => unknown} */ (module.teardown);
    guarded("teardown()", () => teardown(data));
  }
}
const seconds = (performance.now() - started) / 1000;

for (const c of checks) {
  const where = [c.scenario, c.group].filter(Boolean).join(" ");
  console.log(`  ${c.ok ? "ok  " : "FAIL"} [${where}] ${c.name}${c.ok ? "" : `: ${c.detail}`}`);
}

// ---- metrics and thresholds ----

/** @param {number[]} sorted @param {number} pct 0..100 */
function percentile(sorted, pct) {
  if (sorted.length === 0) return NaN;
  const i = (pct / 100) * (sorted.length - 1);
  const lo = Math.floor(i);
  const hi = Math.ceil(i);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (i - lo);
}

/**
 * @param {import("./state.mjs").MetricRecord} metric
 * @param {import("./state.mjs").Sample[]} samples
 * @param {string} aggregation
 */
function aggregate(metric, samples, aggregation) {
  const values = samples.map((s) => s.value);
  const sum = values.reduce((a, b) => a + b, 0);
  const sorted = [...values].sort((a, b) => a - b);
  if (metric.type === "counter") return aggregation === "count" ? sum : sum / seconds;
  if (metric.type === "rate") return values.length ? values.filter((v) => v !== 0).length / values.length : NaN;
  if (metric.type === "gauge") return values.length ? values[values.length - 1] : NaN;
  const p = /^p\((\d+(?:\.\d+)?)\)$/.exec(aggregation);
  if (p) return percentile(sorted, Number(p[1]));
  return { avg: sum / values.length, min: sorted[0], max: sorted[sorted.length - 1], med: percentile(sorted, 50) }[
    /** @type {"avg" | "min" | "max" | "med"} */ (aggregation)
  ];
}

/** @type {Record<string, RegExp>} */
const aggregations = {
  counter: /^(count|rate)$/,
  gauge: /^value$/,
  rate: /^rate$/,
  trend: /^(avg|min|max|med|p\(\d+(\.\d+)?\))$/,
};
/** @type {Record<string, (a: number, b: number) => boolean>} */
const compare = {
  "<": (a, b) => a < b,
  "<=": (a, b) => a <= b,
  ">": (a, b) => a > b,
  ">=": (a, b) => a >= b,
  "==": (a, b) => a === b,
  "===": (a, b) => a === b,
  "!=": (a, b) => a !== b,
};

let invalid = 0;
let crossed = 0;
const thresholdLines = [];
for (const [key, list] of Object.entries(options.thresholds ?? {})) {
  const m = /^([^{}]+?)(?:\{(.*)\})?$/.exec(key.trim());
  const metric = m ? metrics.get(m[1].trim()) : undefined;
  if (!m || !metric) {
    invalid++;
    thresholdLines.push(`    INVALID threshold on ${key}: no such metric (k6 refuses to start)`);
    continue;
  }
  /** @type {Record<string, string>} */
  const filter = {};
  for (const pair of (m[2] ?? "").split(",").filter((p) => p.trim())) {
    const colon = pair.indexOf(":");
    filter[pair.slice(0, colon).trim()] = pair.slice(colon + 1).trim();
  }
  const samples = metric.samples.filter((s) => Object.entries(filter).every(([k, v]) => s.tags[k] === v));
  for (const entry of list) {
    const expression = typeof entry === "string" ? entry : entry.threshold;
    const e = /^\s*(\S+?)\s*(<=|>=|===|==|!=|<|>)\s*(-?\d+(?:\.\d+)?)\s*$/.exec(expression);
    if (!e || !aggregations[metric.type].test(e[1])) {
      invalid++;
      thresholdLines.push(`    INVALID threshold ${key}: ${expression} (not an aggregation of a ${metric.type})`);
      continue;
    }
    const value = aggregate(metric, samples, e[1]);
    const shown = Number.isNaN(value) ? "no data" : `${e[1]}=${Number(value.toFixed(3))}`;
    if (Number.isNaN(value)) {
      thresholdLines.push(`    no data   ${key}: ${expression}`);
    } else if (compare[e[2]](value, Number(e[3]))) {
      thresholdLines.push(`    held      ${key}: ${expression} (${shown})`);
    } else if (metric.type === "trend") {
      thresholdLines.push(`    reported  ${key}: ${expression} (${shown}; a latency of one iteration is not enforced)`);
    } else {
      crossed++;
      thresholdLines.push(`    CROSSED   ${key}: ${expression} (${shown})`);
    }
  }
}
if (thresholdLines.length) console.log(`  thresholds:\n${thresholdLines.join("\n")}`);

const summary = [];
for (const metric of metrics.values()) {
  if (metric.samples.length === 0 || (metric.builtin && !["http_reqs", "http_req_duration", "http_req_failed"].includes(metric.name))) continue;
  const all = metric.samples;
  const text =
    metric.type === "counter" ? `${aggregate(metric, all, "count")}`
    : metric.type === "rate" ? `${(aggregate(metric, all, "rate") * 100).toFixed(1)}% of ${all.length}`
    : metric.type === "gauge" ? `${aggregate(metric, all, "value")}`
    : `avg=${aggregate(metric, all, "avg").toFixed(1)} max=${aggregate(metric, all, "max").toFixed(1)} n=${all.length}`;
  summary.push(`${metric.name} ${text}`);
}
console.log(`  metrics: ${summary.join("; ") || "none"}`);

const failedChecks = checks.filter((c) => !c.ok).length;
const ok = failedChecks === 0 && errors.length === 0 && invalid === 0 && crossed === 0 && checks.length > 0;
console.log(
  `  ${ok ? "PASS" : "FAIL"} ${label}: checks ${checks.length - failedChecks} ok, ${failedChecks} failed; ` +
    `${errors.length} errors; thresholds ${invalid} invalid, ${crossed} crossed; ${seconds.toFixed(1)} s`,
);
if (checks.length === 0) console.log("  (a journey that checks nothing proves nothing: counted as a failure)");
process.exit(ok ? 0 : 1);
