import { DateTime, Duration, IANAZone } from 'luxon';

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

const HOUR = 3_600_000;

/**
 * Luxon asks Intl for a zone's offset (formatToParts) on every DateTime it makes or moves:
 * that was most of the time of building a feed's events. This zone remembers the offset of
 * each hour in which the clocks do not change (they change at most once in an hour, so an
 * hour whose start and end agree is the same all through); it is still an IANAZone to luxon.
 */
class RememberingZone extends IANAZone {
  private readonly hours = new Map<number, number>();

  override offset(ts: number): number {
    const hour = Math.floor(ts / HOUR);
    const known = this.hours.get(hour);
    if (known !== undefined) return known;
    const offset = super.offset(ts);
    if (Number.isFinite(offset) && super.offset(hour * HOUR) === offset && super.offset(hour * HOUR + HOUR - 1) === offset) {
      if (this.hours.size >= 200_000) this.hours.clear();
      this.hours.set(hour, offset);
    }
    return offset;
  }
}

const zones = new Map<string, IANAZone>();

/** The zone object to give luxon for an IANA name (Europe/Warsaw); one per name. */
export function zoneNamed(name: string): IANAZone {
  let zone = zones.get(name);
  if (!zone) zones.set(name, (zone = new RememberingZone(name)));
  return zone;
}

/** Wall-clock text in a zone → an instant. A time skipped by the spring change moves forward. */
export function zoned(local: string, zone: string): DateTime {
  return DateTime.fromISO(local, { zone: zoneNamed(zone) });
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
