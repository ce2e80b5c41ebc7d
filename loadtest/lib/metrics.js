// @ts-check
// The scenarios' own metrics. k6 creates metrics in the init context only, which a module's
// top level is; every scenario imports this module (through api.js), so the thresholds of
// config.js always name metrics that exist.
import { Counter, Rate, Trend } from "k6/metrics";

/** Share of answers with a 5xx status, over every request: the availability SLO's failures. */
export const serverErrors = new Rate("server_errors");
/** 429 answers with Retry-After: shed load (overloaded, rate-limited joins), retried after it. */
export const shed = new Counter("shed_responses");
/** Requests still shed after every retry: the journey gave up on that step. */
export const shedGaveUp = new Counter("shed_gave_up");
/**
 * Checkouts that made an order, read back: tagged order_status "paid" (free ticket types or a
 * box-office sale: paid at once, with tickets) or "pending_payment" (handed over to the payment
 * provider; see pending_payments).
 */
export const purchases = new Counter("purchases");
/**
 * Of purchases, those left at the payment provider's page (pending_payment): the journey does not
 * pay, so their stock stays held until the page expires (at most 30 minutes).
 */
export const pendingPayments = new Counter("pending_payments");
/**
 * Checkouts answered 503 payments-not-configured: the target has no online payment configured
 * and the public cannot buy priced tickets there. A configuration problem; its threshold
 * (config.js CHECKOUT_THRESHOLDS) stops the run.
 */
export const paymentsNotConfigured = new Counter("payments_not_configured");
/** Checkouts answered 503 payment-provider-unavailable: the payment provider refused or could not be reached. */
export const paymentProviderUnavailable = new Counter("payment_provider_unavailable");
/** Baskets refused because the tickets were gone (409 sold-out / not-on-sale). */
export const soldOut = new Counter("sold_out");
/** Baskets refused for another reason the shop gives: too many holds (429 without Retry-After), a waiting room in front (403). */
export const basketRefused = new Counter("basket_refused");
/** From the first basket attempt to the order read back, pauses excluded: what one purchase costs. */
export const purchaseDuration = new Trend("purchase_duration", true);
/** From joining a waiting room to being admitted. */
export const queueWait = new Trend("queue_wait", true);
/** Buyers admitted from the waiting room. */
export const queueAdmitted = new Counter("queue_admitted");
/** Buyers whose place expired, or who gave up waiting (MAX_WAIT_SECONDS). */
export const queueLost = new Counter("queue_lost");
