// What one run of a scenario records: metric samples (k6's built-in metrics and the script's
// own), check results and thrown errors, and the context k6 tags samples with (scenario, group).
// The modules k6, k6/http and k6/metrics write here; run.mjs reads it at the end.

/** @typedef {"counter" | "gauge" | "rate" | "trend"} MetricType */
/** @typedef {Record<string, string>} Tags */
/** @typedef {{ value: number, tags: Tags }} Sample */
/** @typedef {{ name: string, type: MetricType, isTime: boolean, builtin: boolean, samples: Sample[] }} MetricRecord */
/** @typedef {{ name: string, group: string, scenario: string, ok: boolean, detail: string }} CheckResult */

/** @type {Map<string, MetricRecord>} */
export const metrics = new Map();
/** @type {CheckResult[]} */
export const checks = [];
/** @type {{ where: string, error: unknown }[]} */
export const errors = [];
export const context = {
  scenario: "",
  /** k6's group path: "" outside any group, "::outer::inner" inside. */
  group: "",
};

/** Names of the metrics k6 itself defines; a threshold may name them even without samples. */
const builtins = /** @type {const} */ ([
  ["checks", "rate", false],
  ["data_received", "counter", false],
  ["data_sent", "counter", false],
  ["dropped_iterations", "counter", false],
  ["group_duration", "trend", true],
  ["http_req_blocked", "trend", true],
  ["http_req_connecting", "trend", true],
  ["http_req_duration", "trend", true],
  ["http_req_failed", "rate", false],
  ["http_req_receiving", "trend", true],
  ["http_req_sending", "trend", true],
  ["http_req_tls_handshaking", "trend", true],
  ["http_req_waiting", "trend", true],
  ["http_reqs", "counter", false],
  ["iteration_duration", "trend", true],
  ["iterations", "counter", false],
  ["vus", "gauge", false],
  ["vus_max", "gauge", false],
]);
for (const [name, type, isTime] of builtins) {
  metrics.set(name, { name, type, isTime, builtin: true, samples: [] });
}

/**
 * Declares a metric of the script (k6 does it in `new Trend(name)` etc.). Declaring one name
 * twice with another type is an error in k6 too.
 * @param {string} name
 * @param {MetricType} type
 * @param {boolean} isTime
 */
export function declare(name, type, isTime) {
  if (!/^[A-Za-z0-9_.!?/&#()<>% -]{1,128}$/.test(name)) throw new Error(`invalid metric name ${JSON.stringify(name)}`);
  const known = metrics.get(name);
  if (known && known.type !== type) throw new Error(`metric ${name} already exists as a ${known.type}`);
  if (!known) metrics.set(name, { name, type, isTime, builtin: false, samples: [] });
}

/**
 * One sample, tagged like k6 tags it: the scenario, the group, and the caller's tags.
 * @param {string} name
 * @param {number} value
 * @param {Tags} [tags]
 */
export function add(name, value, tags = {}) {
  const metric = metrics.get(name);
  if (!metric) throw new Error(`metric ${name} was never declared`);
  if (!Number.isFinite(value)) throw new Error(`metric ${name}: ${value} is not a number`);
  metric.samples.push({ value, tags: { scenario: context.scenario, group: context.group, ...tags } });
}
