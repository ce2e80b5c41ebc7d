// What the buyer's browser keeps: the live basket, a place in each event's waiting room and the
// order being paid online (this tab only), and each order's secret (in localStorage, so that the
// order page opens again from the plain /orders/{code} link, as the payment page sends it back).
import type { Basket, QueueTicket } from '../api/client';

export interface HeldBasket {
  basket: Basket;
  eventId: number;
  /** The Idempotency-Key of the checkout attempt under way; reused when it is retried. */
  idempotencyKey?: string;
}

const BASKET = 'tickets.basket';

function read<T>(key: string): T | null {
  try {
    const raw = sessionStorage.getItem(key);
    return raw ? (JSON.parse(raw) as T) : null;
  } catch {
    return null;
  }
}

export function loadBasket(): HeldBasket | null {
  return read<HeldBasket>(BASKET);
}

export function saveBasket(held: HeldBasket): void {
  sessionStorage.setItem(BASKET, JSON.stringify(held));
}

export function clearBasket(): void {
  sessionStorage.removeItem(BASKET);
}

/** A place in an event's waiting room as last read, and the first position it had. */
export interface QueuePlace {
  ticket: QueueTicket;
  firstPosition: number;
}

const placeKey = (eventId: number) => `tickets.queue.${eventId}`;
const choiceKey = (eventId: number) => `tickets.queue.${eventId}.choice`;

export function loadPlace(eventId: number): QueuePlace | null {
  return read<QueuePlace>(placeKey(eventId));
}

export function savePlace(place: QueuePlace): void {
  sessionStorage.setItem(placeKey(place.ticket.event_id), JSON.stringify(place));
}

/** The place is spent (a basket was made with it), over, or refused. */
export function forgetPlace(eventId: number): void {
  sessionStorage.removeItem(placeKey(eventId));
}

/** The quantities chosen before the waiting room, chosen again once admitted. */
export function loadChoice(eventId: number): Record<number, number> {
  return read<Record<number, number>>(choiceKey(eventId)) ?? {};
}

export function saveChoice(eventId: number, quantities: Record<number, number>): void {
  sessionStorage.setItem(choiceKey(eventId), JSON.stringify(quantities));
}

export function clearChoice(eventId: number): void {
  sessionStorage.removeItem(choiceKey(eventId));
}

const secretKey = (code: string) => `tickets.order.${code}`;

export function saveSecret(code: string, secret: string): void {
  localStorage.setItem(secretKey(code), secret);
}

export function loadSecret(code: string): string | null {
  return localStorage.getItem(secretKey(code));
}

/** An order of this tab sent to the payment page: the checkout, opened again, points to it. */
export interface PayingOrder {
  eventId: number;
  code: string;
}

const PAYING = 'tickets.paying';

export function loadPaying(): PayingOrder | null {
  return read<PayingOrder>(PAYING);
}

export function savePaying(paying: PayingOrder): void {
  sessionStorage.setItem(PAYING, JSON.stringify(paying));
}

/** The order is no longer waiting for its payment (paid, expired or refunded). */
export function forgetPaying(code: string): void {
  if (loadPaying()?.code === code) sessionStorage.removeItem(PAYING);
}

/** 128 random bits as hex (crypto.randomUUID exists only in secure contexts). */
export function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
