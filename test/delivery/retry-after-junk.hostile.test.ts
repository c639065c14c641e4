import { describe, expect, it } from 'vitest';
import { namedWaitMs, REFUSED_WAIT_MS } from '../../src/delivery/backoff.js';
import { retryAfterMs } from '../../src/ports/retry-after.js';

/**
 * Hostile review of the Retry-After parser (cda533b, 87ae463). Its contract: delay-seconds or an
 * HTTP-date, "anything else unreadable is undefined" (the engine then waits its own short
 * while). It hands anything that begins with a letter to Date.parse, whose legacy fallback reads
 * words followed by a number as a year: junk becomes a date, one far ahead holds the platform
 * (and the row) for the hour's cap instead of REFUSED_WAIT_MS, one in the past reads as 0.
 */
describe('a malformed Retry-After', () => {
  const now = Date.parse('2026-12-04T19:00:00Z');

  it('should read words with a number as unreadable, not as a year', () => {
    for (const junk of ['next 3600', 'wait 60', 'soon 1']) expect(retryAfterMs(junk, now), junk).toBeUndefined();
  });

  it('should make a refusal for pace with such a header wait the short refusal wait, not an hour', () => {
    const after = retryAfterMs('next 3600', now);
    expect(namedWaitMs({ rateLimited: true, ...(after !== undefined ? { retryAfterMs: after } : {}) })).toBe(REFUSED_WAIT_MS);
  });
});
