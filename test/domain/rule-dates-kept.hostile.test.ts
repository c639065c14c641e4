import { DateTime } from 'luxon';
import rrule from 'rrule';
import { describe, expect, it } from 'vitest';
import { continuesFrom, expandSeries, occurrenceOn, ruleDates, type MeetingSeries } from '../../src/domain/occurrences.js';
import { zoned, zoneNamed } from '../../src/domain/local-time.js';

const { RRule } = rrule;

/**
 * Hostile review of the kept rule dates (src/domain/occurrences.ts keptRule, firstAtOrAfter).
 * The oracle is the code they replaced (d24ff5f): a new rule per question, rrule's between.
 */
function floatingUntilAsBefore(rule: string, zone = 'UTC'): string {
  return rule
    .replace(/UNTIL=(\d{8}T\d{6})Z/i, (_m, utc: string) => `UNTIL=${DateTime.fromFormat(utc, "yyyyMMdd'T'HHmmss", { zone: 'UTC' }).setZone(zone).toFormat("yyyyMMdd'T'HHmmss")}`)
    .replace(/UNTIL=(\d{8})(?![\dT])/i, 'UNTIL=$1T235959');
}
const ruleAsBefore = (s: { rrule: string; startsLocal: string; timezone?: string }) =>
  new RRule({ ...RRule.parseString(floatingUntilAsBefore(s.rrule, s.timezone)), dtstart: new Date(`${s.startsLocal}:00Z`) });
const datesAsBefore = (s: { rrule: string; startsLocal: string; timezone?: string }, fromLocal: string, toLocal: string) =>
  ruleAsBefore(s)
    .between(new Date(`${fromLocal}Z`), new Date(`${toLocal}Z`), true)
    .map((d) => d.toISOString().slice(0, 16));
/** The old expandSeries' choice of rule dates (its window widened by a local day each side), without exceptions and holidays. */
function expandedDatesAsBefore(s: MeetingSeries, from: Date, to: Date): string[] {
  const zone = zoneNamed(s.timezone);
  const fromLocal = DateTime.fromJSDate(from, { zone }).minus({ days: 1 }).toFormat("yyyy-MM-dd'T'HH:mm");
  const toLocal = DateTime.fromJSDate(to, { zone }).plus({ days: 1 }).toFormat("yyyy-MM-dd'T'HH:mm");
  return datesAsBefore(s, fromLocal, toLocal).filter((local) => {
    const at = zoned(local, s.timezone).toMillis();
    return at >= from.getTime() && at < to.getTime();
  });
}
const sorted = (dates: string[]) => [...dates].sort();

/**
 * "The 2nd, 5th and 1st Monday" (RFC 5545 allows BYSETPOS in any order; rruleProblem accepts
 * it): in a month without a 5th Monday rrule 2.8.1 yields that month's dates out of order
 * (the 2nd Monday before the 1st). The kept dates are binary-searched as if ascending, and
 * each extension stops where rrule's between stops, so dates go missing. (rrule's order loses some
 * dates in the old code too; these tests only ask for what the old code answered right.)
 */
const series = (startsLocal: string, timezone: string): MeetingSeries => ({
  teamId: 't',
  timezone,
  rrule: 'FREQ=MONTHLY;BYDAY=MO;BYSETPOS=2,5,1',
  startsLocal,
  duration: 'PT1H',
  onHoliday: 'keep',
  exceptions: [],
});

describe('kept rule dates (hostile)', () => {
  it('finds a rule date in a one-day window (cross-check.ts asks so for every exception) as a new rule did', () => {
    const s = series('2026-01-05T10:00', 'Europe/Warsaw');
    // The old code answers 2026-01-12 (the 2nd Monday, a real meeting day).
    expect(datesAsBefore(s, '2026-01-12T00:00', '2026-01-12T23:59')).toEqual(['2026-01-12T10:00']);
    expect(ruleDates(s, '2026-01-12T00:00', '2026-01-12T23:59')).toEqual(['2026-01-12T10:00']);
  });

  it('answers the same question the same whatever was asked before (an extension must not lose dates)', () => {
    const s = series('2026-01-05T10:00', 'UTC');
    // A first question whose kept dates end (to + 400 days) at 2027-04-08, between the 1st and 2nd Monday of April 2027.
    ruleDates(s, '2026-03-01T00:00', '2026-03-04T00:00');
    const asked = ruleDates(s, '2027-04-01T00:00', '2027-04-30T23:59');
    expect(sorted(datesAsBefore(s, '2027-04-01T00:00', '2027-04-30T23:59'))).toEqual(['2027-04-05T10:00', '2027-04-12T10:00']);
    expect(sorted(asked)).toEqual(['2027-04-05T10:00', '2027-04-12T10:00']);
  });

  it('finds every occurrence occurrenceOn found before (reminders, check-ins and presence ask it per date)', () => {
    const s = series('2026-01-05T10:00', 'America/New_York');
    const year = { from: DateTime.fromISO('2026-01-01', { zone: s.timezone }).toJSDate(), to: DateTime.fromISO('2027-01-01', { zone: s.timezone }).toJSDate() };
    const truth = sorted(expandedDatesAsBefore(s, year.from, year.to)).map((d) => d.slice(0, 10));
    expect(truth).toHaveLength(28);
    const foundBefore = truth.filter((date) => {
      const day = DateTime.fromISO(date, { zone: s.timezone });
      return expandedDatesAsBefore(s, day.minus({ days: 1 }).toJSDate(), day.plus({ days: 2 }).toJSDate()).some((d) => d.startsWith(date));
    });
    const lostNow = foundBefore.filter((date) => occurrenceOn(s, date) === undefined);
    expect(lostNow).toEqual([]);
  });

  it('an unknown zone: expandSeries threw (rrule: invalid date); now it must not hand out occurrences with invalid times', () => {
    const s = { ...series('2026-01-05T10:00', 'Mars/Olympus_Mons'), rrule: 'FREQ=WEEKLY;BYDAY=MO' };
    expect(() => expandedDatesAsBefore(s, new Date('2026-03-01T00:00:00Z'), new Date('2026-03-10T00:00:00Z'))).toThrow();
    let occurrences: ReturnType<typeof expandSeries> = [];
    try {
      occurrences = expandSeries(s, new Date('2026-03-01T00:00:00Z'), new Date('2026-03-10T00:00:00Z'));
    } catch {
      return; // throwing, as before, is fine
    }
    expect(occurrences.map((o) => ({ date: o.date, valid: o.start.isValid }))).toEqual([]);
  });

  it('continuesFrom answers an unreadable wall time the same before and after other questions of the rule', () => {
    const s = { rrule: 'FREQ=WEEKLY;BYDAY=TU', startsLocal: '2026-02-03T18:00', timezone: 'Europe/Warsaw' };
    // As before: rrule refuses an invalid date.
    expect(() => ruleAsBefore(s).after(new Date('Invalid DateTimeZ'), true)).toThrow();
    let first: unknown;
    try {
      first = continuesFrom(s, 'Invalid DateTime');
    } catch {
      first = 'threw';
    }
    ruleDates(s, '2026-02-01T00:00', '2026-03-01T00:00');
    let second: unknown;
    try {
      second = continuesFrom(s, 'Invalid DateTime');
    } catch {
      second = 'threw';
    }
    expect(second).toBe(first);
  });
});
