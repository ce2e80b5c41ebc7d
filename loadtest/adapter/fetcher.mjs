// The helper thread of http.mjs: performs each request with Node's fetch, posts the answer back
// on the port, then wakes the scenario's thread, which is blocked in Atomics.wait on `flag`.
// The answer is posted before the wake-up, so it is in the port when the waiting thread looks.
import { workerData } from "node:worker_threads";

/** @type {{ port: import("node:worker_threads").MessagePort, flag: Int32Array }} */
const { port, flag } = workerData;

/**
 * @typedef {{ method: string, url: string, headers: [string, string][], body: Uint8Array | null,
 *   timeoutMs: number, followRedirects: boolean }} WireRequest
 * @typedef {{ status: number, statusText: string, url: string, headers: [string, string][],
 *   body: Uint8Array, error: string, errorCode: number, waitingMs: number, durationMs: number }} WireResponse
 */

port.on("message", async (/** @type {WireRequest} */ request) => {
  /** @type {WireResponse} */
  let answer;
  const started = performance.now();
  try {
    const response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      redirect: request.followRedirects ? "follow" : "manual",
      signal: AbortSignal.timeout(request.timeoutMs),
    });
    const waitingMs = performance.now() - started;
    const body = new Uint8Array(await response.arrayBuffer());
    answer = {
      status: response.status,
      statusText: response.statusText,
      url: response.url || request.url,
      headers: [...response.headers],
      body,
      error: "",
      errorCode: 0,
      waitingMs,
      durationMs: performance.now() - started,
    };
  } catch (e) {
    // k6 answers a request that got no response with status 0 and an error, it does not throw.
    const error = /** @type {Error & { cause?: { code?: string, message?: string } }} */ (e);
    const timedOut = error.name === "TimeoutError";
    answer = {
      status: 0,
      statusText: "",
      url: request.url,
      headers: [],
      body: new Uint8Array(),
      error: timedOut ? "request timeout" : (error.cause?.message ?? error.message),
      // k6's codes: 1050 request timeout, 1212 connection refused, 1000 anything else.
      errorCode: timedOut ? 1050 : error.cause?.code === "ECONNREFUSED" ? 1212 : 1000,
      waitingMs: 0,
      durationMs: performance.now() - started,
    };
  }
  port.postMessage(answer);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
});
