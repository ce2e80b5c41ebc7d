// @ts-check
// What the scenarios' users do: browse the catalogue, buy tickets, wait in a waiting room.
// Each journey checks every answer it gets; an answer the shop documents under load (sold out,
// shed after every retry, too many holds) is an outcome counted in a metric, not a failed
// check, unless STRICT asks that every journey complete.
import { check, fail, group, sleep } from "k6";
import { sha256 } from "k6/crypto";
import * as api from "./api.js";
import { STRICT, THINK_TIME, envFlag, envNumber } from "./config.js";
import { basketRefused, purchaseDuration, purchases, queueAdmitted, queueLost, queueWait, soldOut } from "./metrics.js";

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
    check(paid.res, {
      "checkout: 201 paid": (r) => answered(r, 201, strict) && (r.status !== 201 || paid.order?.status === "paid"),
      "checkout: one ticket per place": (r) => r.status !== 201 || paid.order?.tickets.length === quantity,
    });
    const order = paid.order;
    if (!order?.secret) {
      if (paid.res.status === 409) soldOut.add(1);
      return false;
    }
    const secret = order.secret;

    const read = timed(() => api.getOrder(order.code, secret));
    check(read.res, {
      "order: 200, paid, its tickets": (r) =>
        answered(r, 200, strict) &&
        (r.status !== 200 ||
          (read.order?.code === order.code && read.order?.status === "paid" && read.order.tickets.length === quantity)),
    });
    purchases.add(1);
    purchaseDuration.add(busy);

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
 * A buyer: browses a little, then buys tickets of an event on sale.
 * @param {{ strict?: boolean }} [how]
 */
export function purchase(how = {}) {
  const strict = how.strict ?? STRICT;
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
