/**
 * A `Retry-After` header as milliseconds from `now` (RFC 9110 §10.2.3): either delay-seconds
 * (`120`; decimals are read too) or an HTTP-date (`Wed, 21 Oct 2026 07:28:00 GMT`, and the two
 * obsolete forms RFC 9110 asks recipients to accept). A date already past is 0 (retry now);
 * anything else unreadable is undefined (the engine then waits its own short while). Not
 * capped here: the delivery engine caps every named wait at one hour (delivery/backoff.ts
 * MAX_RETRY_AFTER_MS), whatever the platform wrote. For the adapters, which read the header
 * and pass their own time (the core never reads the wall clock).
 */
export function retryAfterMs(header: string | null | undefined, now: number): number | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  // An HTTP-date always begins with the day's name; a bare number with junk is not one.
  if (!/^[A-Za-z]/.test(value)) return undefined;
  // asctime's form names no zone, and JavaScript would read it as local time: HTTP dates are GMT.
  const at = Date.parse(/^[A-Za-z]{3} [A-Za-z]{3} /.test(value) ? `${value} GMT` : value);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}
