// Load shedding: when the selling path is full the server answers 429 `overloaded` with
// `Retry-After` (one second) and does nothing. Such a call is worth making again, a few times,
// before the buyer is told; every other refusal stands at once.
import { ApiError } from './client';

/** How many times a shed call is made again before its refusal is shown. */
export const SHED_RETRIES = 2;

const shed = (e: unknown): e is ApiError => e instanceof ApiError && e.status === 429 && e.type === 'overloaded';

/**
 * Runs `work`, and again after the server's `Retry-After` (1 to 10 s) while it is shed, at most
 * `SHED_RETRIES` more times; `onWait` hears of each wait. The last refusal is thrown.
 */
export async function retryWhenShed<T>(work: () => Promise<T>, onWait?: () => void): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (!shed(error) || attempt >= SHED_RETRIES) throw error;
      onWait?.();
      const seconds = Math.min(10, Math.max(1, error.retryAfter ?? 1));
      await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    }
  }
}
