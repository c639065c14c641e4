/**
 * When to try again after a temporary failure. A platform that names the wait (429 with
 * Retry-After) is taken at its word, plus up to a tenth more so replicas do not come back in
 * step; a reminder then goes seconds late, not a backoff step late. Otherwise exponential
 * backoff with full jitter (30 s, 1 min, 2 min … capped at 1 h). `random` is injected so
 * tests can pin it.
 */
export function retryDelayMs(attempt: number, retryAfterMs: number | undefined, random: () => number = Math.random): number {
  if (retryAfterMs !== undefined && retryAfterMs > 0) return retryAfterMs + random() * (retryAfterMs / 10);
  const base = Math.min(30_000 * 2 ** Math.max(0, attempt - 1), 3_600_000);
  return base / 2 + random() * (base / 2);
}

/** After this many temporary failures on one channel the delivery moves to the next channel. */
export const MAX_TEMPORARY_ATTEMPTS = 8;

/**
 * Whether a temporary failure uses up one of the MAX_TEMPORARY_ATTEMPTS. A platform that names
 * its wait (429 with Retry-After) is pacing us, not failing: eight of those in a row used to
 * fail a delivery for good (or push it off its channel) though every one said "later".
 */
export function usesAnAttempt(result: { retryAfterMs?: number; rateLimited?: true }): boolean {
  return !(result.rateLimited || (result.retryAfterMs !== undefined && result.retryAfterMs > 0));
}

/**
 * How long past its due time a delivery's refusals for pace stay free. A relay that has blocked
 * the sender answers 421 for days: were every refusal free, the row would be retried every few
 * seconds for ever, never failed nor moved to the person's next channel. Past this, a refusal
 * for pace is an ordinary temporary failure: it uses an attempt and waits the longer of its
 * named wait and the backoff. Counted from `due_at`, which the table already has: a row that
 * pacing or a backlog made this late has waited long enough for its platform.
 */
export const FREE_REFUSALS_MS = 30 * 60_000;

/**
 * The wait after a refusal for pace that names none (SMTP 421/451, a 429 without Retry-After):
 * short, since the pacer has already lowered the pace of what was refused (pacer.ts `refused`).
 */
export const REFUSED_WAIT_MS = 2000;

/**
 * The longest Retry-After taken at its word, for the retry and for the pacer's hold: it comes
 * from the network, and a proxy's `Retry-After: 999999999` must not park a message or stop a
 * platform for years. A longer one is read as this.
 */
export const MAX_RETRY_AFTER_MS = 3_600_000;

/** The wait a temporary failure names (at most MAX_RETRY_AFTER_MS), or for a refusal for pace that names none, REFUSED_WAIT_MS. */
export function namedWaitMs(result: { retryAfterMs?: number; rateLimited?: true }): number | undefined {
  if (result.retryAfterMs !== undefined && result.retryAfterMs > 0) return Math.min(result.retryAfterMs, MAX_RETRY_AFTER_MS);
  // No wait named, or none left (an HTTP-date already past, clocks apart): a refusal for pace still waits a little.
  return result.rateLimited ? REFUSED_WAIT_MS : undefined;
}
