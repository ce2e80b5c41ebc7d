// k6/http over Node's fetch. k6's calls are synchronous and fetch is not, so each request is
// handed to a helper thread (fetcher.mjs) while this thread blocks in Atomics.wait; the answer
// is then taken off the port with receiveMessageOnPort, which does not need the event loop.
// Samples of http_reqs, http_req_duration, http_req_waiting and http_req_failed are recorded as
// k6 records them, http_req_failed through the response callback (expectedStatuses).
import { MessageChannel, Worker, receiveMessageOnPort } from "node:worker_threads";
import { add } from "./state.mjs";

/** @typedef {{ statuses: number[], ranges: { min: number, max: number }[] }} ExpectedStatuses */
/**
 * @typedef {{ headers?: Record<string, string>, tags?: Record<string, string>, timeout?: string | number,
 *   responseCallback?: ExpectedStatuses | null, redirects?: number, responseType?: "text" | "binary" | "none" }} Params
 */

/** @type {{ port: import("node:worker_threads").MessagePort, flag: Int32Array } | undefined} */
let helper;

function transport() {
  if (!helper) {
    const { port1, port2 } = new MessageChannel();
    const flag = new Int32Array(new SharedArrayBuffer(4));
    const worker = new Worker(new URL("./fetcher.mjs", import.meta.url), {
      workerData: { port: port2, flag },
      transferList: [port2],
    });
    worker.unref();
    helper = { port: port1, flag };
  }
  return helper;
}

/**
 * @param {import("./fetcher.mjs").WireRequest} request
 * @returns {import("./fetcher.mjs").WireResponse}
 */
function roundTrip(request) {
  const { port, flag } = transport();
  Atomics.store(flag, 0, 0);
  port.postMessage(request);
  // The helper gives up at the request's timeout; the margin covers its own start.
  if (Atomics.wait(flag, 0, 0, request.timeoutMs + 15000) === "timed-out") {
    throw new Error(`adapter: no answer from the fetch thread for ${request.method} ${request.url}`);
  }
  const received = receiveMessageOnPort(port);
  if (!received) throw new Error(`adapter: woken without an answer for ${request.method} ${request.url}`);
  return received.message;
}

/** k6's default: 200-399 are expected, anything else counts in http_req_failed. */
/** @type {ExpectedStatuses | null} */
let responseCallback = { statuses: [], ranges: [{ min: 200, max: 399 }] };

/** @param {...(number | { min: number, max: number })} expected */
export function expectedStatuses(...expected) {
  /** @type {ExpectedStatuses} */
  const callback = { statuses: [], ranges: [] };
  for (const e of expected) {
    if (typeof e === "number" && Number.isInteger(e)) callback.statuses.push(e);
    else if (e && typeof e === "object" && Number.isInteger(e.min) && Number.isInteger(e.max)) callback.ranges.push(e);
    else throw new Error(`expectedStatuses: ${JSON.stringify(e)} is neither a status nor {min, max}`);
  }
  return callback;
}

/** @param {ExpectedStatuses | null} callback */
export function setResponseCallback(callback) {
  responseCallback = callback;
}

/** @param {ExpectedStatuses} callback @param {number} status */
const isExpected = (callback, status) =>
  callback.statuses.includes(status) || callback.ranges.some((r) => status >= r.min && status <= r.max);

/** Go's canonical header names, which k6 gives its response headers: content-type -> Content-Type. */
const canonical = (/** @type {string} */ name) =>
  name.toLowerCase().replace(/(^|-)([a-z])/g, (_, dash, c) => dash + c.toUpperCase());

/** "60s", "1.5s", "500ms", "2m" or a number of milliseconds. */
function milliseconds(/** @type {string | number} */ value) {
  if (typeof value === "number") return value;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(value);
  if (!m) throw new Error(`timeout ${JSON.stringify(value)}: not a duration`);
  return Number(m[1]) * { ms: 1, s: 1000, m: 60000, h: 3600000 }[/** @type {"ms" | "s" | "m" | "h"} */ (m[2])];
}

/**
 * The body as k6 sends it: a string or ArrayBuffer as it is (without a Content-Type of its
 * own, unlike fetch with a string), an object form-encoded with that Content-Type.
 * @param {unknown} body
 * @param {Map<string, string>} headers
 */
function encodeBody(body, headers) {
  if (body === null || body === undefined) return null;
  if (typeof body === "string") return new TextEncoder().encode(body);
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (typeof body === "object") {
    if (!headers.has("content-type")) headers.set("content-type", "application/x-www-form-urlencoded");
    const form = new URLSearchParams();
    for (const [k, v] of Object.entries(body)) form.append(k, String(v));
    return new TextEncoder().encode(form.toString());
  }
  throw new Error(`request body of type ${typeof body} is not supported`);
}

/**
 * @param {string} method
 * @param {string} url
 * @param {unknown} [body]
 * @param {Params | null} [params]
 */
export function request(method, url, body, params) {
  const p = params ?? {};
  method = method.toUpperCase();
  /** @type {Map<string, string>} */
  const headers = new Map();
  for (const [k, v] of Object.entries(p.headers ?? {})) headers.set(k.toLowerCase(), String(v));
  const encoded = encodeBody(body, headers);
  const sent = [...headers].map(([k, v]) => /** @type {[string, string]} */ ([canonical(k), v]));
  const wire = roundTrip({
    method,
    url: String(url),
    headers: sent,
    body: encoded,
    timeoutMs: milliseconds(p.timeout ?? "60s"),
    followRedirects: p.redirects !== 0,
  });

  /** @type {Record<string, string>} */
  const responseHeaders = {};
  for (const [k, v] of wire.headers) {
    const name = canonical(k);
    responseHeaders[name] = name in responseHeaders ? `${responseHeaders[name]}, ${v}` : v;
  }
  const responseType = p.responseType ?? "text";
  const text = new TextDecoder().decode(wire.body);
  const callback = p.responseCallback === undefined ? responseCallback : p.responseCallback;
  const expected = callback ? isExpected(callback, wire.status) : undefined;

  const tags = {
    method,
    url: String(url),
    name: String(url),
    status: String(wire.status),
    ...(expected === undefined ? {} : { expected_response: String(expected) }),
    ...(wire.error ? { error: wire.error, error_code: String(wire.errorCode) } : {}),
    ...(p.tags ?? {}),
  };
  add("http_reqs", 1, tags);
  add("http_req_duration", wire.durationMs, tags);
  add("http_req_waiting", wire.waitingMs, tags);
  add("data_received", wire.body.byteLength, tags);
  add("data_sent", encoded?.byteLength ?? 0, tags);
  if (expected !== undefined) add("http_req_failed", expected ? 0 : 1, tags);

  return {
    status: wire.status,
    status_text: wire.status ? `${wire.status} ${wire.statusText}` : "",
    url: wire.url,
    headers: responseHeaders,
    body: responseType === "none" ? null : responseType === "binary" ? wire.body.buffer : text,
    error: wire.error,
    error_code: wire.errorCode,
    timings: { duration: wire.durationMs, waiting: wire.waitingMs },
    request: {
      method,
      url: String(url),
      headers: Object.fromEntries(sent.map(([k, v]) => [k, [v]])),
      body: encoded ? new TextDecoder().decode(encoded) : "",
    },
    /**
     * The body as JSON; a selector is a dotted path ("order.tickets.0.code"), the part of
     * k6's GJSON syntax the scenarios could need.
     * @param {string} [selector]
     */
    json(selector) {
      const value = JSON.parse(text);
      if (!selector) return value;
      let at = value;
      for (const key of selector.split(".")) {
        if (at === null || typeof at !== "object" || !(key in at)) return undefined;
        at = at[key];
      }
      return at;
    },
  };
}

/** @param {string} url @param {Params | null} [params] */
export const get = (url, params) => request("GET", url, null, params);
/** @param {string} url @param {Params | null} [params] */
export const head = (url, params) => request("HEAD", url, null, params);
/** @param {string} url @param {unknown} [body] @param {Params | null} [params] */
export const post = (url, body, params) => request("POST", url, body, params);
/** @param {string} url @param {unknown} [body] @param {Params | null} [params] */
export const put = (url, body, params) => request("PUT", url, body, params);
/** @param {string} url @param {unknown} [body] @param {Params | null} [params] */
export const patch = (url, body, params) => request("PATCH", url, body, params);
/** @param {string} url @param {unknown} [body] @param {Params | null} [params] */
export const del = (url, body, params) => request("DELETE", url, body, params);
/** @param {string} url @param {unknown} [body] @param {Params | null} [params] */
export const options = (url, body, params) => request("OPTIONS", url, body, params);

export default { request, get, head, post, put, patch, del, options, expectedStatuses, setResponseCallback };
