import { DateTime, Duration } from 'luxon';

/** 'YYYY-MM-DDTHH:MM' wall-clock time, the form schedule files use. */
export const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/;
export const LOCAL_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** True for an IANA zone name this runtime knows (Europe/Warsaw). */
export function isZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Wall-clock text in a zone → an instant. A time skipped by the spring change moves forward. */
export function zoned(local: string, zone: string): DateTime {
  return DateTime.fromISO(local, { zone });
}

export function isValidLocalDateTime(local: string): boolean {
  return LOCAL_DATE_TIME.test(local) && DateTime.fromISO(local, { zone: 'UTC' }).isValid;
}

export function isValidLocalDate(local: string): boolean {
  return LOCAL_DATE.test(local) && DateTime.fromISO(local, { zone: 'UTC' }).isValid;
}

/** ISO 8601 durations such as PT2H, P1D, P7D; undefined when unreadable or not positive. */
export function parseDuration(text: string): Duration | undefined {
  const duration = Duration.fromISO(text);
  if (!duration.isValid || duration.as('milliseconds') <= 0) return undefined;
  return duration;
}
