// @ts-check
// Parameters from the environment (k6 run -e NAME=value, or the process environment), read in
// the init context, and the thresholds every scenario shares: the SLOs of docs/slos.md.

/** The shop's address, without a trailing slash: http://<ALB DNS name> or the in-cluster Service. */
export const BASE_URL = (__ENV.BASE_URL || "http://127.0.0.1:8000").replace(/\/+$/, "");

/**
 * A number from the environment, or `fallback`. A value that is not a number stops the run at
 * once rather than load-testing with NaN.
 * @param {string} name
 * @param {number} fallback
 */
export function envNumber(name, fallback) {
  const raw = __ENV[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name}=${raw}: expected a number >= 0`);
  return value;
}

/**
 * A k6 duration ("30s", "5m", "2h", "1h30m") from the environment, or `fallback`.
 * @param {string} name
 * @param {string} fallback
 */
export function envDuration(name, fallback) {
  const raw = __ENV[name];
  if (raw === undefined || raw === "") return fallback;
  if (!/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(raw)) throw new Error(`${name}=${raw}: expected a duration such as 30s, 5m or 2h`);
  return raw;
}

/**
 * true for "true", "1" or "yes"; false for "false", "0", "no"; else `fallback`.
 * @param {string} name
 * @param {boolean} fallback
 */
export function envFlag(name, fallback) {
  const raw = (__ENV[name] || "").toLowerCase();
  if (["true", "1", "yes"].includes(raw)) return true;
  if (["false", "0", "no"].includes(raw)) return false;
  if (raw !== "") throw new Error(`${name}=${__ENV[name]}: expected true or false`);
  return fallback;
}

/**
 * Think time between a buyer's steps, in seconds (THINK_TIME, default 1): each pause is drawn
 * between half and one and a half times it, so that VUs do not march in step.
 */
export const THINK_TIME = envNumber("THINK_TIME", 1);

/**
 * Every journey must end in an order (or a full browse): sold out, shed or a waiting room count
 * as failed checks instead of outcomes the shop may give. The smoke test is always strict; the
 * suite runs every scenario strict.
 */
export const STRICT = envFlag("STRICT", false);

/**
 * The SLOs as thresholds (docs/slos.md):
 * - latency: p95 of every request within 800 ms, whatever its status;
 * - availability: fewer than 1 % of answers are 5xx (`server_errors`, lib/metrics.js). The
 *   28-day objective is 99.9 %; a run that spends 1 % burns that budget ten times as fast, so
 *   crossing this is a clear failure, and staying under it is no proof of meeting the SLO;
 * - http_req_failed: answers the journeys do not expect (lib/api.js sets which: 2xx, 3xx, 409
 *   sold out, 429 shed), and requests with no answer at all (status 0);
 * - checks: what the journeys assert about each answer.
 * A 429 is shed load, the intended answer past capacity, and is in none of these rates.
 * @type {Record<string, string[]>}
 */
export const SLO_THRESHOLDS = {
  http_req_duration: ["p(95)<800"],
  server_errors: ["rate<0.01"],
  http_req_failed: ["rate<0.01"],
  checks: ["rate>0.99"],
};

/**
 * Scenarios that check out add these to the SLOs. A checkout answered 503
 * payments-not-configured means the target cannot sell priced tickets to the public at all (no
 * STRIPE_SECRET_KEY): a configuration problem, not a result, so the first one stops the run
 * (k6 exits 99 naming payments_not_configured; the journey says why on the console).
 * @type {Record<string, import("k6/options").Threshold[]>}
 */
export const CHECKOUT_THRESHOLDS = {
  payments_not_configured: [{ threshold: "count==0", abortOnFail: true }],
};

/** Percentiles in the end-of-test summary: p95 is the SLO, p99 the advisory 1.5 s. */
export const SUMMARY_TREND_STATS = ["avg", "min", "med", "p(90)", "p(95)", "p(99)", "max"];
