/**
 * Exponential backoff with full jitter (30 s, 1 min, 2 min … capped at 1 h), never sooner than
 * the platform's Retry-After. `random` is injected so tests can pin it.
 */
export function retryDelayMs(attempt: number, retryAfterMs: number | undefined, random: () => number = Math.random): number {
  const base = Math.min(30_000 * 2 ** Math.max(0, attempt - 1), 3_600_000);
  const jittered = base / 2 + random() * (base / 2);
  return Math.max(jittered, retryAfterMs ?? 0);
}

/** After this many temporary failures on one channel the delivery moves to the next channel. */
export const MAX_TEMPORARY_ATTEMPTS = 8;
