import fc from 'fast-check';
import { DateTime } from 'luxon';
import rrule from 'rrule';
import { describe, expect, it } from 'vitest';
import { continuesFrom, isKept, MAX_KEPT_DATES, ruleDates } from '../../src/domain/occurrences.js';

const { RRule } = rrule;

/**
 * ruleDates and continuesFrom keep each rule's dates (src/domain/occurrences.ts keptRule) instead
 * of asking rrule from DTSTART every time. The oracle is the code they replaced: a new rule per
 * question. Questions come in random order on a few rules, so kept dates are extended, asked
 * behind what they cover, and past the end of rules with COUNT and UNTIL.
 */
function floatingUntilAsBefore(rule: string, zone = 'UTC'): string {
  return rule
    .replace(/UNTIL=(\d{8}T\d{6})Z/i, (_m, utc: string) => `UNTIL=${DateTime.fromFormat(utc, "yyyyMMdd'T'HHmmss", { zone: 'UTC' }).setZone(zone).toFormat("yyyyMMdd'T'HHmmss")}`)
    .replace(/UNTIL=(\d{8})(?![\dT])/i, 'UNTIL=$1T235959');
}
function ruleAsBefore(series: { rrule: string; startsLocal: string; timezone?: string }) {
  return new RRule({ ...RRule.parseString(floatingUntilAsBefore(series.rrule, series.timezone)), dtstart: new Date(`${series.startsLocal}:00Z`) });
}
const datesAsBefore = (series: { rrule: string; startsLocal: string; timezone?: string }, fromLocal: string, toLocal: string) =>
  ruleAsBefore(series)
    .between(new Date(`${fromLocal}Z`), new Date(`${toLocal}Z`), true)
    .map((d) => d.toISOString().slice(0, 16));
const continuesAsBefore = (series: { rrule: string; startsLocal: string; timezone?: string }, fromLocal: string) => ruleAsBefore(series).after(new Date(`${fromLocal}Z`), true) !== null;

const DAYS = ['MO', 'TU', 'WE', 'TH', 'FR'];
const rule = fc
  .record({
    freq: fc.constantFrom('WEEKLY', 'MONTHLY'),
    interval: fc.integer({ min: 1, max: 3 }),
    day: fc.constantFrom(...DAYS),
    nth: fc.subarray([1, 2, 3, 4, -1], { minLength: 1 }),
    end: fc.oneof(
      fc.constant(''),
      fc.integer({ min: 1, max: 60 }).map((n) => `;COUNT=${n}`),
      fc.date({ min: new Date('2025-01-01T00:00:00Z'), max: new Date('2029-12-31T00:00:00Z'), noInvalidDate: true }).chain((d) => {
        const day = d.toISOString().slice(0, 10).replace(/-/g, '');
        return fc.constantFrom(`;UNTIL=${day}`, `;UNTIL=${day}T100000`, `;UNTIL=${day}T090000Z`);
      }),
    ),
  })
  .map(({ freq, interval, day, nth, end }) => (freq === 'WEEKLY' ? `FREQ=WEEKLY;INTERVAL=${interval};BYDAY=${day}${end}` : `FREQ=MONTHLY;INTERVAL=${interval};BYDAY=${nth.map((n) => `${n}${day}`).join(',')}${end}`));
const series = fc.record({
  rrule: rule,
  startsLocal: fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2028-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => `${d.toISOString().slice(0, 11)}${['09:00', '10:30', '13:00', '00:00', '23:59'][d.getUTCSeconds() % 5]}`),
  timezone: fc.constantFrom('Europe/Warsaw', 'UTC', 'America/New_York', undefined),
});
const local = fc.date({ min: new Date('2019-06-01T00:00:00Z'), max: new Date('2032-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 16));
// `onDate`: the window starts (or the question is asked) exactly at one of the rule's own dates, where inclusive ends matter.
const question = fc.record({ which: fc.nat(), from: local, days: fc.integer({ min: 0, max: 800 }), continues: fc.boolean(), onDate: fc.option(fc.nat(), { nil: undefined }) });

describe('rule dates kept per rule', () => {
  it('answer every question as a new rule did, in any order', () => {
    fc.assert(
      fc.property(fc.array(series, { minLength: 1, maxLength: 4 }), fc.array(question, { minLength: 1, maxLength: 25 }), (rules, questions) => {
        for (const q of questions) {
          const s = rules[q.which % rules.length]!;
          if (q.onDate !== undefined) {
            const dates = datesAsBefore(s, '2019-01-01T00:00', '2033-01-01T00:00');
            if (dates.length) q.from = dates[q.onDate % dates.length]!;
          }
          if (q.continues) {
            expect(continuesFrom(s, q.from), `${s.rrule} ${s.startsLocal} from ${q.from}`).toBe(continuesAsBefore(s, q.from));
            continue;
          }
          const to = new Date(new Date(`${q.from}Z`).getTime() + q.days * 86_400_000).toISOString().slice(0, 16);
          expect(ruleDates(s, q.from, to), `${s.rrule} ${s.startsLocal} ${q.from}..${to}`).toEqual(datesAsBefore(s, q.from, to));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('answers a window years after the start, and the same window again, the same', () => {
    const s = { rrule: 'FREQ=MONTHLY;BYDAY=1MO,3MO', startsLocal: '2020-01-06T09:30', timezone: 'Europe/Warsaw' };
    const first = ruleDates(s, '2031-03-01T00:00', '2031-03-31T23:59');
    expect(first).toEqual(datesAsBefore(s, '2031-03-01T00:00', '2031-03-31T23:59'));
    expect(first).toEqual(['2031-03-03T09:30', '2031-03-17T09:30']);
    expect(ruleDates(s, '2020-01-01T00:00', '2020-01-31T23:59')).toEqual(['2020-01-06T09:30', '2020-01-20T09:30']);
    expect(ruleDates(s, '2031-03-01T00:00', '2031-03-31T23:59')).toEqual(first);
    // Both ends count, as rrule's between(…, true).
    expect(ruleDates(s, '2031-03-03T09:30', '2031-03-17T09:30')).toEqual(first);
    const counted = { rrule: 'FREQ=WEEKLY;BYDAY=TU;COUNT=3', startsLocal: '2027-01-05T10:00', timezone: 'Europe/Warsaw' };
    expect(continuesFrom(counted, '2027-01-19T10:00')).toBe(true);
    expect(continuesFrom(counted, '2027-01-19T10:01')).toBe(false);
  });

  it('does not keep a rule asked so far that its dates would be megabytes, and answers it all the same', () => {
    const daily = { rrule: 'FREQ=DAILY', startsLocal: '2027-01-01T10:00', timezone: 'Europe/Warsaw' };
    expect(ruleDates(daily, '2027-03-01T00:00', '2027-03-02T23:59')).toEqual(['2027-03-01T10:00', '2027-03-02T10:00']);
    expect(isKept(daily)).toBe(true);
    // Asked 63 years ahead (an exception's date may be as far as 9999-12-31): more than MAX_KEPT_DATES days.
    expect(MAX_KEPT_DATES).toBeLessThan(365 * 63);
    expect(ruleDates(daily, '2090-06-01T00:00', '2090-06-02T23:59')).toEqual(['2090-06-01T10:00', '2090-06-02T10:00']);
    expect(isKept(daily)).toBe(false);
    // Still answered, by rrule as before.
    expect(ruleDates(daily, '2027-03-01T00:00', '2027-03-02T23:59')).toEqual(['2027-03-01T10:00', '2027-03-02T10:00']);
    expect(continuesFrom(daily, '2030-01-01T00:00')).toBe(true);
  });
});
