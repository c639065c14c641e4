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
  // Only the three forms of an HTTP-date (RFC 9110 §5.6.7): Date.parse alone reads any
  // "word 3600" as the year 3600.
  const form = HTTP_DATE_FORMS.find((f) => f.test(value));
  if (!form) return undefined;
  // asctime's form names no zone, and JavaScript would read it as local time: HTTP dates are GMT.
  const at = Date.parse(form === ASCTIME ? `${value} GMT` : form === RFC850 ? withFullYear(value, now) : value);
  if (!Number.isFinite(at)) return undefined;
  // Date.parse rolls a day the month lacks over ("31 Feb" is 3 March): such a date is junk, not a date.
  if (new Date(at).getUTCDate() !== Number(form.exec(value)![1])) return undefined;
  return Math.max(0, at - now);
}

/**
 * RFC 850's two-digit year as RFC 9110 §5.6.7 reads it: in the century of `now`, unless that is
 * more than 50 years ahead, then the century before (JavaScript would take 50-99 as 19xx always).
 */
function withFullYear(value: string, now: number): string {
  return value.replace(/-(\d{2}) /, (_, yy: string) => {
    const thisYear = new Date(now).getUTCFullYear();
    let year = Math.floor(thisYear / 100) * 100 + Number(yy);
    if (year > thisYear + 50) year -= 100;
    return `-${year} `;
  });
}

// A day of one digit too ("Sat, 5 Dec 2026 …"): some servers send it so, and RFC 9110 §5.6.7
// asks recipients to be lenient in reading dates.
/** Sun, 06 Nov 1994 08:49:37 GMT */
const IMF_FIXDATE = /^[a-z]{3}, (\d{1,2}) [a-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/i;
/** Sunday, 06-Nov-94 08:49:37 GMT */
const RFC850 = /^[a-z]{6,9}, (\d{1,2})-[a-z]{3}-\d{2} \d{2}:\d{2}:\d{2} GMT$/i;
/** Sun Nov  6 08:49:37 1994 (and "Nov 6", the padding space dropped) */
const ASCTIME = /^[a-z]{3} [a-z]{3} {1,2}(\d{1,2}) \d{2}:\d{2}:\d{2} \d{4}$/i;
const HTTP_DATE_FORMS = [IMF_FIXDATE, RFC850, ASCTIME];
