// @ts-check
// The shop's HTTP API as the scenarios use it (shapes: src/api/openapi.json). Every call goes
// through `call`, which counts 5xx answers and retries shed ones.
import { sleep } from "k6";
import http from "k6/http";
import { BASE_URL, envFlag, envNumber } from "./config.js";
import { serverErrors, shed, shedGaveUp } from "./metrics.js";

/**
 * @typedef {{ amount: number, currency: string }} Money
 * @typedef {{ id: number, name: string, venue: string, status: string, starts_at: string,
 *   max_tickets_per_order: number, available_tickets: number, price_from: Money | null }} EventSummary
 * @typedef {{ events: EventSummary[], count: number, next_cursor: string | null }} EventListing
 * @typedef {{ id: number, name: string, price: number, currency: string, capacity: number, available: number }} TicketType
 * @typedef {EventSummary & { ticket_types: TicketType[] }} EventDetail
 * @typedef {{ ticket_type_id: number, quantity: number }} BasketLine
 * @typedef {{ id: string, status: string, expires_at: string, items: BasketLine[], total: number, currency: string }} Basket
 * @typedef {{ code: string, ticket_type_id: number }} Ticket
 * @typedef {{ code: string, secret?: string, status: string, email: string, name: string,
 *   total: number, currency: string, tickets: Ticket[], payment_provider?: string,
 *   payment_url?: string, payment_expires_at?: string }} Order
 * @typedef {{ type: string, status: number, detail?: string, field?: string }} Problem
 * @typedef {{ event_id: number, enabled: boolean, pow_difficulty: number, challenge: string | null }} QueueChallenge
 * @typedef {{ token: string, event_id: number, status: "waiting" | "admitted" | "expired", position: number,
 *   estimated_wait_seconds: number | null, admitted_until: string | null }} QueueTicket
 * @typedef {{ enabled: boolean, admit_per_minute?: number, pow_difficulty?: number }} QueueSettings
 * @typedef {{ event_id: number, enabled: boolean, admit_per_minute: number, pow_difficulty: number,
 *   waiting: number, admitted: number, oldest_wait_seconds: number }} QueueReport
 * @typedef {import("k6/http").Response} Response
 */

// What counts in http_req_failed besides 2xx and 3xx: 409 (sold out, not on sale: what the
// shop answers when stock runs out under load) and 429 (shed load, the intended answer past
// capacity). A 404 is expected only where a request asks for one (its own responseCallback).
http.setResponseCallback(http.expectedStatuses({ min: 200, max: 399 }, 409, 429));

/** How many times a shed request (429 with Retry-After) is made again before the step gives up. */
const SHED_RETRIES = envNumber("SHED_RETRIES", 3);
/** The longest pause before a retry, in seconds, whatever Retry-After says. */
const MAX_BACKOFF = envNumber("MAX_BACKOFF", 10);

// SPREAD_CLIENTS=true: each VU sends X-Forwarded-For with an address of its own (a /64 of the
// documentation prefix 2001:db8::/32), so that per-client limits (HOLD_LIMIT_PER_CLIENT, the
// waiting room's joins) see many buyers instead of one. ticketsd believes the header only from
// as many proxies as TRUSTED_PROXIES says (1 in the chart, for the ALB). Through the ALB, which
// appends the real address, the header changes nothing; from inside the cluster (the Job of
// the Helm chart, straight to the Service) it is taken as the client.
const SPREAD_CLIENTS = envFlag("SPREAD_CLIENTS", false);

/** @returns {Record<string, string>} */
function clientHeaders() {
  if (!SPREAD_CLIENTS) return {};
  const vu = __VU;
  return { "X-Forwarded-For": `2001:db8:${((vu >>> 16) & 0xffff).toString(16)}:${(vu & 0xffff).toString(16)}::1` };
}

/**
 * One request to the shop. Counts a 5xx in `server_errors`. A 429 with Retry-After is shed
 * load: the request did nothing, so it is made again after a pause (Retry-After, doubled at each
 * attempt, at most MAX_BACKOFF seconds, with up to half again at random so that the VUs shed
 * together do not come back together), up to SHED_RETRIES times; the last answer is returned.
 * A 429 without Retry-After (too many holds) is a refusal, returned at once.
 * @param {string} method
 * @param {string} path "/api/..." with its query
 * @param {{ name: string, body?: unknown, headers?: Record<string, string>, expect404?: boolean }} how
 *   `name`: the route template, the `name` tag of the request's samples (one series per route,
 *   not per id); `body`: sent as JSON; `expect404`: a 404 is the answer this request wants
 * @returns {Response}
 */
export function call(method, path, how) {
  /** @type {Record<string, string>} */
  const headers = { Accept: "application/json", ...clientHeaders(), ...how.headers };
  let payload = null;
  if (how.body !== undefined) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(how.body);
  }
  /** @type {import("k6/http").Params} */
  const params = { headers, tags: { name: how.name } };
  if (how.expect404) params.responseCallback = http.expectedStatuses({ min: 200, max: 399 }, 404);
  for (let attempt = 0; ; attempt++) {
    const res = http.request(method, BASE_URL + path, payload, params);
    serverErrors.add(res.status >= 500, { name: how.name });
    const retryAfter = res.status === 429 ? Number(res.headers["Retry-After"]) : NaN;
    if (!(retryAfter >= 0)) return res;
    shed.add(1, { name: how.name });
    if (attempt >= SHED_RETRIES) {
      shedGaveUp.add(1, { name: how.name });
      return res;
    }
    sleep(Math.min(MAX_BACKOFF, Math.max(retryAfter, 0.5) * 2 ** attempt) * (1 + Math.random() / 2));
  }
}

/**
 * The body as JSON, or undefined when it is not JSON (a check then fails on the missing value
 * instead of the iteration ending with a parse error).
 * @param {Response} res
 * @returns {any}
 */
export function parse(res) {
  try {
    return JSON.parse(String(res.body));
  } catch {
    return undefined;
  }
}

/**
 * The `type` of a problem answer ("/problems/sold-out"), or "".
 * @param {Response} res
 */
export function problemType(res) {
  const body = parse(res);
  return body && typeof body.type === "string" ? body.type : "";
}

/**
 * "a=1&b=x%20y", undefined values left out (k6 has no URLSearchParams).
 * @param {Record<string, string | number | undefined>} query
 */
function queryString(query) {
  const parts = Object.entries(query)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return parts.length ? `?${parts.join("&")}` : "";
}

/**
 * @param {{ limit?: number, cursor?: string, status?: string, from?: string, to?: string, q?: string }} query
 * @returns {{ res: Response, listing: EventListing | undefined }}
 */
export function listEvents(query) {
  const res = call("GET", `/api/events${queryString(query)}`, { name: "/api/events" });
  return { res, listing: res.status === 200 ? parse(res) : undefined };
}

/**
 * @param {number} id
 * @param {{ expect404?: boolean }} [how]
 * @returns {{ res: Response, event: EventDetail | undefined }}
 */
export function getEvent(id, how = {}) {
  const res = call("GET", `/api/events/${id}`, { name: "/api/events/{id}", ...how });
  return { res, event: res.status === 200 ? parse(res) : undefined };
}

/**
 * @param {BasketLine[]} items
 * @param {string} [queueToken] an admitted waiting-room token, when the event has a queue
 * @returns {{ res: Response, basket: Basket | undefined }}
 */
export function createBasket(items, queueToken) {
  const res = call("POST", "/api/basket", {
    name: "/api/basket",
    body: { items },
    headers: queueToken ? { "X-Queue-Token": queueToken } : {},
  });
  return { res, basket: res.status === 201 ? parse(res) : undefined };
}

/**
 * Checks a basket out. The same Idempotency-Key on every retry of a shed checkout: however many
 * times it reaches the shop, there is one order. 201 with the order "paid" (a free basket, or a
 * box-office sale by staff) or "pending_payment" with its `payment_url` (a priced basket bought
 * by the public, paid at the payment provider); 503 payments-not-configured when the shop has no
 * online payment and the basket is priced.
 * @param {string} basketId
 * @param {{ email: string, name: string }} buyer
 * @param {string} idempotencyKey
 * @returns {{ res: Response, order: Order | undefined }}
 */
export function checkout(basketId, buyer, idempotencyKey) {
  const res = call("POST", "/api/checkout", {
    name: "/api/checkout",
    body: { basket_id: basketId, email: buyer.email, name: buyer.name },
    headers: { "Idempotency-Key": idempotencyKey },
  });
  const body = res.status === 201 || res.status === 200 ? parse(res) : undefined;
  return { res, order: body?.order };
}

/**
 * @param {string} code
 * @param {string} secret
 * @returns {{ res: Response, order: Order | undefined }}
 */
export function getOrder(code, secret) {
  const res = call("GET", `/api/orders/${encodeURIComponent(code)}`, {
    name: "/api/orders/{code}",
    headers: { "X-Order-Secret": secret },
  });
  return { res, order: res.status === 200 ? parse(res)?.order : undefined };
}

/**
 * Cancels an order: its tickets void, its stock back for the next buyer.
 * @param {string} code
 * @param {string} secret
 * @returns {{ res: Response, order: Order | undefined }}
 */
export function cancelOrder(code, secret) {
  const res = call("POST", `/api/orders/${encodeURIComponent(code)}/cancel`, {
    name: "/api/orders/{code}/cancel",
    headers: { "X-Order-Secret": secret },
  });
  return { res, order: res.status === 200 ? parse(res)?.order : undefined };
}

/**
 * @param {number} eventId
 * @returns {{ res: Response, queue: QueueChallenge | undefined }}
 */
export function queueChallenge(eventId) {
  const res = call("GET", `/api/events/${eventId}/queue`, { name: "/api/events/{id}/queue" });
  return { res, queue: res.status === 200 ? parse(res) : undefined };
}

/**
 * Joins the waiting room; a 429 (too many joins from this client) is retried after its
 * Retry-After by `call`.
 * @param {number} eventId
 * @param {{ challenge: string, nonce: string }} [proof]
 * @returns {{ res: Response, ticket: QueueTicket | undefined }}
 */
export function joinQueue(eventId, proof) {
  const res = call("POST", `/api/events/${eventId}/queue`, {
    name: "POST /api/events/{id}/queue",
    body: proof ?? {},
  });
  return { res, ticket: res.status === 201 ? parse(res) : undefined };
}

/**
 * @param {string} token
 * @returns {{ res: Response, ticket: QueueTicket | undefined }}
 */
export function queueTicket(token) {
  const res = call("GET", `/api/queue/${encodeURIComponent(token)}`, { name: "/api/queue/{token}" });
  return { res, ticket: res.status === 200 ? parse(res) : undefined };
}

/**
 * @param {number} eventId
 * @param {string} adminToken
 * @returns {{ res: Response, report: QueueReport | undefined }}
 */
export function queueReport(eventId, adminToken) {
  const res = call("GET", `/api/admin/events/${eventId}/queue`, {
    name: "/api/admin/events/{id}/queue",
    headers: { Authorization: `Bearer ${adminToken}` },
  });
  return { res, report: res.status === 200 ? parse(res) : undefined };
}

/**
 * @param {number} eventId
 * @param {string} adminToken
 * @param {QueueSettings} settings
 * @returns {{ res: Response, report: QueueReport | undefined }}
 */
export function configureQueue(eventId, adminToken, settings) {
  const res = call("PUT", `/api/admin/events/${eventId}/queue`, {
    name: "PUT /api/admin/events/{id}/queue",
    body: settings,
    headers: { Authorization: `Bearer ${adminToken}` },
  });
  return { res, report: res.status === 200 ? parse(res) : undefined };
}
