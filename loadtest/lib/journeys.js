// @ts-check
// What the scenarios' users do: browse the catalogue, buy tickets, wait in a waiting room.
// Each journey checks every answer it gets; an answer the shop documents under load (sold out,
// shed after every retry, too many holds) is an outcome counted in a metric, not a failed
// check, unless STRICT asks that every journey complete.
import { check, fail, group, sleep } from "k6";
import { sha256 } from "k6/crypto";
import * as api from "./api.js";
import { BASE_URL, STRICT, THINK_TIME, envFlag, envNumber } from "./config.js";
import {
  basketRefused,
  paymentProviderUnavailable,
  paymentsNotConfigured,
  pendingPayments,
  purchaseDuration,
  purchases,
  queueAdmitted,
  queueLost,
  queueWait,
  soldOut,
} from "./metrics.js";

/** Events per catalogue page (the storefront asks for 12). */
const PAGE_SIZE = envNumber("PAGE_SIZE", 12);
/** Share of visits that go on to the next page, filter by date and status, or search by text. */
const NEXT_PAGE_RATIO = envNumber("NEXT_PAGE_RATIO", 0.3);
const FILTER_RATIO = envNumber("FILTER_RATIO", 0.2);
const SEARCH_RATIO = envNumber("SEARCH_RATIO", 0.1);
/** Events a visitor opens from the listing. */
const EVENTS_PER_VISIT = envNumber("EVENTS_PER_VISIT", 2);
/** Most tickets in one basket (also bounded by the event's max_tickets_per_order). */
const MAX_QUANTITY = envNumber("MAX_QUANTITY", 2);
/**
 * Cancel each order once read: its stock returns, so a long or fast run does not sell the shop
 * out and go on measuring 409s. CANCEL_ORDERS=false watches a sell-out instead.
 */
const CANCEL_ORDERS = envFlag("CANCEL_ORDERS", true);
/** Waiting room: seconds between reads of one's place, and the longest wait before giving up. */
const POLL_SECONDS = envNumber("POLL_SECONDS", 2);
const MAX_WAIT_SECONDS = envNumber("MAX_WAIT_SECONDS", 600);
/**
 * Buy tickets of this event only (0: an event on sale picked at random each time), e.g. one
 * with free ticket types created for the test: its checkouts are paid at once, and no payment
 * provider is involved (see lib/api.js checkout).
 */
const EVENT_ID = envNumber("EVENT_ID", 0);

/** The order statuses of a successful checkout: paid at once, or handed over to the payment provider. */
const CHECKOUT_OUTCOMES = ["paid", "pending_payment"];
const PAYMENTS_NOT_CONFIGURED = "/problems/payments-not-configured";
const PROVIDER_UNAVAILABLE = "/problems/payment-provider-unavailable";

let toldNotConfigured = false;
/**
 * A 503 payments-not-configured: counted, and said once per VU in words, since the target
 * cannot sell priced tickets to anyone and every purchase measured would be this refusal.
 * @param {api.Response} res
 */
function reportPaymentsNotConfigured(res) {
  paymentsNotConfigured.add(1);
  if (toldNotConfigured) return;
  toldNotConfigured = true;
  console.error(
    `CONFIGURATION: POST /api/checkout answered 503 payments-not-configured (${BASE_URL}): the shop has no ` +
      "online payment (STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET unset), so the public cannot buy priced " +
      "tickets. Configure Stripe (test-mode keys) on the target, or buy an event with free ticket types " +
      `(EVENT_ID=<id>). ${api.parse(res)?.detail ?? ""}`,
  );
}

/** A pause between a user's steps: THINK_TIME, give or take half. */
export function pause() {
  if (THINK_TIME > 0) sleep(THINK_TIME * (0.5 + Math.random()));
}

/**
 * @template T
 * @param {T[]} list
 * @returns {T}
 */
const pick = (list) => list[Math.floor(Math.random() * list.length)];

/**
 * The status a step wants, or (unless strict) a 429 that stayed shed after every retry.
 * @param {api.Response} res
 * @param {number} status
 * @param {boolean} strict
 */
const answered = (res, status, strict) => res.status === status || (!strict && res.status === 429);

/**
 * A visitor of the catalogue: the first page of events, a few events opened from it, and now
 * and then the next page, a filter (on sale, from now on) or a text search; `every`: all of them.
 * @param {{ every?: boolean, strict?: boolean }} [how]
 * @returns {api.EventSummary[]} the events listed
 */
export function browse(how = {}) {
  const strict = how.strict ?? STRICT;
  /** @param {number} ratio */
  const chance = (ratio) => how.every || Math.random() < ratio;
  return group("browse", () => {
    const first = api.listEvents({ limit: PAGE_SIZE });
    check(first.res, {
      "listing: 200 with events": (r) => answered(r, 200, strict) && (r.status !== 200 || Array.isArray(first.listing?.events)),
    });
    const events = [...(first.listing?.events ?? [])];

    if (chance(NEXT_PAGE_RATIO) && first.listing?.next_cursor) {
      pause();
      const next = api.listEvents({ limit: PAGE_SIZE, cursor: first.listing.next_cursor });
      check(next.res, {
        "next page: 200, other events": (r) =>
          answered(r, 200, strict) && (r.status !== 200 || (next.listing?.events ?? []).every((e) => !events.some((s) => s.id === e.id))),
      });
      events.push(...(next.listing?.events ?? []));
    }
    if (chance(FILTER_RATIO)) {
      pause();
      const filtered = api.listEvents({ limit: PAGE_SIZE, status: "on_sale", from: new Date().toISOString() });
      check(filtered.res, {
        "filter on_sale: 200, only events on sale": (r) =>
          answered(r, 200, strict) && (r.status !== 200 || (filtered.listing?.events ?? []).every((e) => e.status === "on_sale")),
      });
    }
    if (chance(SEARCH_RATIO) && events.length > 0) {
      pause();
      // A word of a listed event's name: a search that finds something.
      const word = pick(events).name.split(/\s+/).find((w) => w.length >= 3) ?? "the";
      const found = api.listEvents({ limit: PAGE_SIZE, q: word });
      check(found.res, {
        // Text searches are shed (429) first when the pool is busy: retried, then accepted.
        "search: 200 with events": (r) => answered(r, 200, strict) && (r.status !== 200 || Array.isArray(found.listing?.events)),
      });
    }
    for (let i = 0; i < EVENTS_PER_VISIT && events.length > 0; i++) {
      pause();
      const summary = pick(events);
      const detail = api.getEvent(summary.id);
      check(detail.res, {
        "event: 200 with its ticket types": (r) =>
          answered(r, 200, strict) &&
          (r.status !== 200 || (detail.event?.id === summary.id && Array.isArray(detail.event.ticket_types))),
      });
    }
    return events;
  });
}

/**
 * An event on sale with tickets left, from the listing of events on sale, or undefined.
 * @param {boolean} strict
 * @returns {api.EventSummary | undefined}
 */
export function chooseEvent(strict) {
  const { res, listing } = api.listEvents({ limit: PAGE_SIZE, status: "on_sale" });
  check(res, { "events on sale: 200": (r) => answered(r, 200, strict) });
  const open = (listing?.events ?? []).filter((e) => e.available_tickets > 0);
  return open.length ? pick(open) : undefined;
}

/**
 * Buys tickets of one event: opens it, holds tickets in a basket, checks out, reads the order
 * back (as the order page does), and cancels it when CANCEL_ORDERS. `queueToken`: the admitted
 * waiting-room token the basket needs when the event sells through one.
 * @param {number} eventId
 * @param {{ queueToken?: string, strict?: boolean }} [how]
 * @returns {boolean} whether an order was made
 */
export function buy(eventId, how = {}) {
  const strict = how.strict ?? STRICT;
  return group("buy", () => {
    let busy = 0;
    /**
     * @template R
     * @param {() => R} step
     * @returns {R}
     */
    const timed = (step) => {
      const t0 = Date.now();
      const r = step();
      busy += Date.now() - t0;
      return r;
    };

    const { res: eventRes, event } = timed(() => api.getEvent(eventId));
    check(eventRes, { "event: 200": (r) => answered(r, 200, strict) });
    const types = (event?.ticket_types ?? []).filter((t) => t.available > 0);
    if (!event || types.length === 0) {
      if (event) soldOut.add(1);
      check(eventRes, { "event: tickets left": () => !strict || types.length > 0 });
      return false;
    }
    const type = pick(types);
    const most = Math.max(1, Math.min(MAX_QUANTITY, type.available, event.max_tickets_per_order));
    const quantity = 1 + Math.floor(Math.random() * most);
    pause();

    const held = timed(() => api.createBasket([{ ticket_type_id: type.id, quantity }], how.queueToken));
    const refusal = api.problemType(held.res);
    check(held.res, {
      // 409: sold out or not on sale; 429: too many holds, or shed after every retry;
      // 403: a waiting room in front of the event. Outcomes, unless strict.
      "basket: 201 held, or refused as documented": (r) =>
        r.status === 201 ||
        (!strict &&
          (r.status === 409 || r.status === 429 || (r.status === 403 && refusal === "/problems/queue-required"))),
      "basket: total is price x quantity": (r) => r.status !== 201 || held.basket?.total === type.price * quantity,
    });
    const basket = held.basket;
    if (!basket) {
      if (held.res.status === 409) soldOut.add(1);
      else basketRefused.add(1, { type: refusal || String(held.res.status) });
      return false;
    }
    pause();

    const buyer = { email: `loadtest+${__VU}-${__ITER}@example.com`, name: `Load Test ${__VU}` };
    const key = `loadtest-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
    const paid = timed(() => api.checkout(basket.id, buyer, key));
    const checkoutProblem = api.problemType(paid.res);
    // Two outcomes are a successful checkout (src/api/openapi.json, POST /api/checkout):
    // - "paid": a free basket (every ticket type at price 0) or a box-office sale, paid at once
    //   with its tickets;
    // - "pending_payment": a priced basket bought by the public, handed over to the payment
    //   provider (Stripe Checkout) at `payment_url`, no tickets until the provider says it was
    //   paid. The journey never pays, so nothing is charged; with CANCEL_ORDERS it cancels the
    //   order, which gives the stock back and closes the payment page.
    // A 503 payments-not-configured is the target's configuration (no STRIPE_SECRET_KEY), not
    // load: a failed check, payments_not_configured (whose threshold stops the run) and a
    // message saying so, strict or not.
    check(paid.res, {
      "checkout: 201, paid or pending payment": (r) =>
        answered(r, 201, strict) && (r.status !== 201 || CHECKOUT_OUTCOMES.includes(paid.order?.status ?? "")),
      "checkout: online payment configured (not 503 payments-not-configured)": () =>
        checkoutProblem !== PAYMENTS_NOT_CONFIGURED,
      "checkout: paid with one ticket per place": (r) =>
        r.status !== 201 || paid.order?.status !== "paid" || paid.order.tickets.length === quantity,
      "checkout: pending payment with a payment page, no tickets yet": (r) =>
        r.status !== 201 ||
        paid.order?.status !== "pending_payment" ||
        (/^https?:\/\//.test(paid.order.payment_url ?? "") && paid.order.tickets.length === 0),
    });
    if (checkoutProblem === PAYMENTS_NOT_CONFIGURED) reportPaymentsNotConfigured(paid.res);
    else if (checkoutProblem === PROVIDER_UNAVAILABLE) paymentProviderUnavailable.add(1);
    const order = paid.order;
    if (!order?.secret || !CHECKOUT_OUTCOMES.includes(order.status)) {
      if (paid.res.status === 409) soldOut.add(1);
      return false;
    }
    const secret = order.secret;
    const pending = order.status === "pending_payment";

    const read = timed(() => api.getOrder(order.code, secret));
    check(read.res, {
      "order: 200, as checked out": (r) =>
        answered(r, 200, strict) &&
        (r.status !== 200 ||
          (read.order?.code === order.code &&
            read.order?.status === order.status &&
            (pending
              ? read.order.payment_url === order.payment_url && read.order.tickets.length === 0
              : read.order.tickets.length === quantity))),
    });
    purchases.add(1, { order_status: order.status });
    if (pending) pendingPayments.add(1);
    purchaseDuration.add(busy);

    // Cancelled, paid or pending: a paid free or box-office order is cancelled; a pending one
    // is cancelled before it is paid, which gives its stock back and closes its payment page
    // (so long runs neither sell out nor leave payment pages open).
    if (CANCEL_ORDERS) {
      pause();
      const cancelled = api.cancelOrder(order.code, secret);
      check(cancelled.res, {
        "cancel: 200, cancelled": (r) => answered(r, 200, strict) && (r.status !== 200 || cancelled.order?.status === "cancelled"),
      });
    }
    return true;
  });
}

/**
 * A buyer: picks an event on sale (or EVENT_ID), then buys tickets of it.
 * @param {{ strict?: boolean }} [how]
 */
export function purchase(how = {}) {
  const strict = how.strict ?? STRICT;
  if (EVENT_ID > 0) {
    buy(EVENT_ID, { strict });
    return;
  }
  const event = group("choose", () => chooseEvent(strict));
  if (!event) {
    soldOut.add(1);
    check(null, { "an event on sale with tickets left": () => !strict });
    return;
  }
  pause();
  buy(event.id, { strict });
}

/**
 * Leading zero bits of a hex digest.
 * @param {string} hex
 */
function zeroBits(hex) {
  let bits = 0;
  for (const c of hex) {
    const nibble = parseInt(c, 16);
    if (nibble === 0) {
      bits += 4;
      continue;
    }
    return bits + Math.clz32(nibble) - 28;
  }
  return bits;
}

/**
 * The waiting room's proof of work: a decimal nonce with SHA-256(challenge ":" nonce) starting
 * with `difficulty` zero bits (src/domain/waiting_room.h). About 2^difficulty hashes.
 * @param {string} challenge
 * @param {number} difficulty
 */
export function solveProof(challenge, difficulty) {
  for (let nonce = 0; nonce < 2 ** 30; nonce++) {
    if (zeroBits(sha256(`${challenge}:${nonce}`, "hex")) >= difficulty) return String(nonce);
  }
  return fail(`no proof of work found for difficulty ${difficulty}`);
}

/**
 * A buyer of a hot on-sale: joins the event's waiting room (with a proof of work when the
 * queue asks), reads their place every POLL_SECONDS until admitted, then buys with the
 * admitted token as X-Queue-Token, as the storefront does.
 * @param {number} eventId
 * @param {{ strict?: boolean }} [how]
 */
export function onsale(eventId, how = {}) {
  const strict = how.strict ?? STRICT;
  const token = group("waiting room", () => {
    /** @type {api.QueueTicket | undefined} */
    let ticket;
    // A challenge is used once; a join refused for it (403) gets one more with a fresh one.
    for (let attempt = 0; attempt < 2 && !ticket; attempt++) {
      const { res, queue } = api.queueChallenge(eventId);
      check(res, { "queue state: 200": (r) => answered(r, 200, strict) });
      if (!queue) return undefined;
      check(queue, { "queue: on": (q) => q.enabled || !strict });
      const proof =
        queue.pow_difficulty > 0 && queue.challenge
          ? { challenge: queue.challenge, nonce: solveProof(queue.challenge, queue.pow_difficulty) }
          : undefined;
      const joined = api.joinQueue(eventId, proof);
      if (joined.res.status === 403 && attempt === 0) continue;
      check(joined.res, { "join: 201 with a place": (r) => answered(r, 201, strict) && (r.status !== 201 || !!joined.ticket?.token) });
      ticket = joined.ticket;
      if (!ticket) return undefined;
    }
    if (!ticket) return undefined;
    // Admitted at once with no end: the queue is off, buy without a token (as the storefront).
    if (ticket.status === "admitted" && ticket.admitted_until === null) return "";

    const joinedAt = Date.now();
    while (ticket.status === "waiting" && Date.now() - joinedAt < MAX_WAIT_SECONDS * 1000) {
      sleep(POLL_SECONDS);
      const place = api.queueTicket(ticket.token);
      check(place.res, { "place: 200": (r) => answered(r, 200, strict) });
      if (place.ticket) ticket = place.ticket;
    }
    check(ticket, { "admitted from the waiting room": (t) => t.status === "admitted" || !strict });
    if (ticket.status !== "admitted") {
      queueLost.add(1, { status: ticket.status });
      return undefined;
    }
    queueWait.add(Date.now() - joinedAt);
    queueAdmitted.add(1);
    return ticket.token;
  });
  if (token === undefined) return;
  buy(eventId, { queueToken: token || undefined, strict });
}
