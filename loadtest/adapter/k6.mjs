// The k6 module: check, group, sleep, fail, randomSeed. Synchronous, as in k6.
import { add, checks, context } from "./state.mjs";

/**
 * Runs every named condition against `value`; each result is a sample of the `checks` rate.
 * A condition that throws propagates, as in k6 (the iteration ends with that error).
 * @template T
 * @param {T} value
 * @param {Record<string, ((value: T) => unknown) | unknown>} conditions
 * @param {Record<string, string>} [tags]
 */
export function check(value, conditions, tags = {}) {
  let all = true;
  for (const [name, condition] of Object.entries(conditions)) {
    const ok = Boolean(typeof condition === "function" ? condition(value) : condition);
    all &&= ok;
    add("checks", ok ? 1 : 0, { check: name, ...tags });
    checks.push({ name, group: context.group, scenario: context.scenario, ok, detail: ok ? "" : describe(value) });
  }
  return all;
}

/** What a failed check looked at, in one line: a response's request and status, else the value. */
function describe(/** @type {unknown} */ value) {
  if (value && typeof value === "object" && "status" in value && "request" in value) {
    const res = /** @type {{ status: number, error?: string, request: { method: string, url: string }, body?: unknown }} */ (value);
    const body = typeof res.body === "string" ? res.body.slice(0, 200) : "";
    return `${res.request.method} ${res.request.url} -> ${res.status}${res.error ? ` (${res.error})` : ""} ${body}`;
  }
  try {
    return JSON.stringify(value)?.slice(0, 200) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * @template R
 * @param {string} name
 * @param {() => R} fn
 * @returns {R}
 */
export function group(name, fn) {
  if (name.includes("::")) throw new Error(`group name ${JSON.stringify(name)} may not contain "::"`);
  const outer = context.group;
  context.group = `${outer}::${name}`;
  const started = performance.now();
  try {
    const result = fn();
    if (result instanceof Promise) throw new Error(`group ${name}: k6 groups do not take async functions`);
    return result;
  } finally {
    add("group_duration", performance.now() - started);
    context.group = outer;
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Blocks this thread for `seconds`, as k6's sleep blocks its VU. */
export function sleep(/** @type {number} */ seconds) {
  if (!(seconds >= 0)) throw new Error(`sleep(${seconds}): not a duration`);
  Atomics.wait(sleeper, 0, 0, seconds * 1000);
}

/** @returns {never} */
export function fail(/** @type {string} */ message = "") {
  throw new Error(message);
}

/** Accepted and ignored: one iteration has no sequence to repeat. */
export function randomSeed(/** @type {number} */ _seed) {}

export default { check, group, sleep, fail, randomSeed };
