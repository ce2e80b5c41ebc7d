// Setting the scene through the API, as another buyer or an organiser would.
import { ADMIN_TOKEN } from './stack.mjs';

export async function call(api, method, path, { body, token, headers = {} } = {}) {
  const response = await fetch(`${api}${path}`, {
    method,
    headers: {
      ...(body ? { 'Content-Type': 'application/json' } : {}),
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  const json = text ? JSON.parse(text) : null;
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return json;
}

export const admin = (api, method, path, body) => call(api, method, path, { body, token: ADMIN_TOKEN });

/** An on-sale event starting in 30 days with one ticket type. */
export function createEvent(api, { name, capacity, price = 2500, currency = 'EUR' }) {
  const start = new Date(Date.now() + 30 * 86400e3);
  start.setUTCHours(18, 0, 0, 0);
  const end = new Date(start.getTime() + 3 * 3600e3);
  const iso = (d) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return admin(api, 'POST', '/api/admin/events', {
    name,
    venue: 'Testhalle, Berlin',
    starts_at: iso(start),
    ends_at: iso(end),
    timezone: 'Europe/Berlin',
    status: 'on_sale',
    ticket_types: [{ name: 'Standing', price, currency, capacity }],
  });
}

/**
 * Sells tickets at the box office (checked out with a staff token: paid at once, no payment
 * page); returns the order (with its secret and tickets).
 */
export async function buy(api, ticketTypeId, quantity = 1) {
  const basket = await call(api, 'POST', '/api/basket', { body: { items: [{ ticket_type_id: ticketTypeId, quantity }] } });
  const { order } = await call(api, 'POST', '/api/checkout', {
    body: { basket_id: basket.id, email: 'other@example.com', name: 'Other Buyer' },
    headers: { 'Idempotency-Key': `test-${basket.id}` },
    token: ADMIN_TOKEN,
  });
  assert(order.status === 'paid' && order.tickets.length === quantity, `a box-office sale: ${JSON.stringify(order)}`);
  return order;
}

/**
 * Checks priced tickets out as a buyer online would: the order (with its secret) is
 * `pending_payment`, to be paid at its `payment_url`.
 */
export async function checkoutOnline(api, ticketTypeId, quantity = 1) {
  const basket = await call(api, 'POST', '/api/basket', { body: { items: [{ ticket_type_id: ticketTypeId, quantity }] } });
  const { order } = await call(api, 'POST', '/api/checkout', {
    body: { basket_id: basket.id, email: 'online@example.com', name: 'Online Buyer' },
    headers: { 'Idempotency-Key': `test-${basket.id}` },
  });
  assert(order.status === 'pending_payment' && order.payment_url, `an order to pay online: ${JSON.stringify(order)}`);
  return order;
}

/** The Stripe Checkout Session of an order paid online: the last part of its payment_url. */
export const sessionOf = (order) => new URL(order.payment_url).pathname.split('/').pop();

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

/** Turns an event's waiting room on or off (admin API); returns its report. */
export const setQueue = (api, eventId, { enabled = true, admit_per_minute = 0, pow_difficulty = 0 } = {}) =>
  admin(api, 'PUT', `/api/admin/events/${eventId}/queue`, { enabled, admit_per_minute, pow_difficulty });
