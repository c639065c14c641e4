import { describe, expect, it } from 'vitest';
import { MAX_RETRY_AFTER_MS, namedWaitMs, REFUSED_WAIT_MS } from '../../src/delivery/backoff.js';
import { retryAfterMs } from '../../src/ports/retry-after.js';

/** Retry-After as RFC 9110 §10.2.3 gives it: delay-seconds or an HTTP-date (was: a date fell back to 2 s). */
describe('Retry-After', () => {
  const now = Date.parse('2026-12-04T19:00:00Z');

  it('should read delay-seconds', () => {
    expect(retryAfterMs('120', now)).toBe(120_000);
    expect(retryAfterMs(' 2 ', now)).toBe(2000);
    expect(retryAfterMs('1.5', now)).toBe(1500);
  });

  it('should read an HTTP-date in each of the three forms RFC 9110 asks recipients to accept', () => {
    expect(retryAfterMs('Fri, 04 Dec 2026 19:01:30 GMT', now)).toBe(90_000);
    expect(retryAfterMs('Friday, 04-Dec-26 19:01:30 GMT', now)).toBe(90_000);
    expect(retryAfterMs('Fri Dec  4 19:01:30 2026', now)).toBe(90_000);
  });

  it('should read a one-digit day, as some servers send it, in each form (was: unreadable, the default wait)', () => {
    const at = Date.parse('2026-12-05T21:30:00Z');
    expect(retryAfterMs('Sat, 5 Dec 2026 21:30:00 GMT', now)).toBe(at - now);
    expect(retryAfterMs('Saturday, 5-Dec-26 21:30:00 GMT', now)).toBe(at - now);
    expect(retryAfterMs('Sat Dec 5 21:30:00 2026', now)).toBe(at - now);
  });

  it('should read an RFC 850 two-digit year as RFC 9110 asks: the nearest such year, unless over 50 years ahead (was: 50-99 always 19xx)', () => {
    // 2060 is 34 years ahead of now (2026): a wait to then, capped later; 2077 would be 51 ahead, so 1977: past, 0.
    expect(retryAfterMs('Friday, 04-Dec-60 19:00:00 GMT', now)).toBe(Date.parse('2060-12-04T19:00:00Z') - now);
    expect(retryAfterMs('Friday, 04-Dec-76 19:00:00 GMT', now)).toBe(Date.parse('2076-12-04T19:00:00Z') - now);
    expect(retryAfterMs('Saturday, 04-Dec-77 19:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('Friday, 04-Dec-26 19:01:30 GMT', now)).toBe(90_000);
  });

  it('should read a day the month does not have, or a time past midnight, as unreadable', () => {
    for (const junk of ['Sat, 31 Feb 2026 21:30:00 GMT', 'Sat, 5 Dec 2026 25:30:00 GMT', 'Sat, 123 Dec 2026 21:30:00 GMT', 'Sat,  5 Dec 2026 21:30:00 GMT']) expect(retryAfterMs(junk, now), junk).toBeUndefined();
  });

  it('should read a date already past as 0, and nothing readable as undefined', () => {
    expect(retryAfterMs('Fri, 04 Dec 2026 18:59:00 GMT', now)).toBe(0);
    for (const junk of [undefined, null, '', 'soon', '12abc', '-5', 'null']) expect(retryAfterMs(junk, now)).toBeUndefined();
  });

  it('should wait a named date as given, capped at an hour like a number, and a past one as a refusal naming none', () => {
    expect(namedWaitMs({ rateLimited: true, retryAfterMs: retryAfterMs('Fri, 04 Dec 2026 19:01:30 GMT', now)! })).toBe(90_000);
    expect(namedWaitMs({ rateLimited: true, retryAfterMs: retryAfterMs('Sat, 04 Dec 2027 19:00:00 GMT', now)! })).toBe(MAX_RETRY_AFTER_MS);
    expect(namedWaitMs({ rateLimited: true, retryAfterMs: retryAfterMs('Fri, 04 Dec 2026 18:00:00 GMT', now)! })).toBe(REFUSED_WAIT_MS);
  });
});
