// What the buyer's browser keeps: the live basket (this tab only) and each order's secret
// (in localStorage, so that the order page opens again from the plain /orders/{code} link).
import type { Basket } from '../api/client';

export interface HeldBasket {
  basket: Basket;
  eventId: number;
  /** The Idempotency-Key of the checkout attempt under way; reused when it is retried. */
  idempotencyKey?: string;
}

const BASKET = 'tickets.basket';

export function loadBasket(): HeldBasket | null {
  try {
    const raw = sessionStorage.getItem(BASKET);
    return raw ? (JSON.parse(raw) as HeldBasket) : null;
  } catch {
    return null;
  }
}

export function saveBasket(held: HeldBasket): void {
  sessionStorage.setItem(BASKET, JSON.stringify(held));
}

export function clearBasket(): void {
  sessionStorage.removeItem(BASKET);
}

const secretKey = (code: string) => `tickets.order.${code}`;

export function saveSecret(code: string, secret: string): void {
  localStorage.setItem(secretKey(code), secret);
}

export function loadSecret(code: string): string | null {
  return localStorage.getItem(secretKey(code));
}

/** 128 random bits as hex (crypto.randomUUID exists only in secure contexts). */
export function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
