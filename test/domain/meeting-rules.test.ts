import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { expandSeries, occurrenceOn, occurrencesStartingIn, takesPlace, type MeetingSeries } from '../../src/domain/occurrences.js';

const ZONE = 'Europe/Warsaw';
const warsaw = (local: string) => DateTime.fromISO(local, { zone: ZONE }).toJSDate();
const local = (t: DateTime) => t.setZone(ZONE).toFormat("yyyy-MM-dd'T'HH:mm");

function series(overrides: Partial<MeetingSeries> = {}): MeetingSeries {
  return {
    teamId: 'lodz',
    timezone: ZONE,
    rrule: 'FREQ=WEEKLY;BYDAY=TU',
    startsLocal: '2027-01-05T10:00',
    duration: 'PT2H',
    onHoliday: 'shift',
    exceptions: [],
    ...overrides,
  };
}

describe('UNTIL written in UTC', () => {
  it('should keep the last meeting when UNTIL is the instant of its start in UTC (…Z, as RFC 5545 wants with a zoned DTSTART)', () => {
    // 28 December 2027 10:00 Warsaw is 09:00 UTC: UNTIL=20271228T090000Z includes it.
    const s = series({ rrule: 'FREQ=WEEKLY;BYDAY=TU;UNTIL=20271228T090000Z' });
    const all = expandSeries(s, warsaw('2027-01-01T00:00'), warsaw('2028-06-01T00:00'));
    expect(all.at(-1)!.date).toBe('2027-12-28');
  });

  it('should read UNTIL in summer UTC the same way (10:00 CEST is 08:00Z)', () => {
    const s = series({ rrule: 'FREQ=WEEKLY;BYDAY=TU;UNTIL=20270629T080000Z' });
    const all = expandSeries(s, warsaw('2027-01-01T00:00'), warsaw('2028-01-01T00:00'));
    expect(all.at(-1)!.date).toBe('2027-06-29');
  });

  it('should still read UNTIL without Z as the team’s wall clock', () => {
    const s = series({ rrule: 'FREQ=WEEKLY;BYDAY=TU;UNTIL=20271228T100000' });
    expect(expandSeries(s, warsaw('2027-12-01T00:00'), warsaw('2028-06-01T00:00')).at(-1)!.date).toBe('2027-12-28');
  });
});

describe('holiday shift onto a day the team already meets', () => {
  // Easter Monday 2027 is 29 March; the team meets on Mondays and Tuesdays.
  const s = series({ rrule: 'FREQ=WEEKLY;BYDAY=MO,TU', startsLocal: '2027-01-04T10:00' });

  it('should go to the next working day without a meeting of the series (Wednesday), not onto Tuesday’s meeting', () => {
    const easter = occurrenceOn(s, '2027-03-29')!;
    expect(easter.status).toBe('shifted');
    expect(local(easter.start)).toBe('2027-03-31T10:00');
    expect(local(occurrenceOn(s, '2027-03-30')!.start)).toBe('2027-03-30T10:00');
  });

  it('should never give two meetings of a series at the same time over years of holidays', () => {
    for (const rrule of ['FREQ=WEEKLY;BYDAY=MO,TU', 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH', 'FREQ=DAILY', 'FREQ=WEEKLY;BYDAY=TH,FR']) {
      const all = expandSeries({ ...s, rrule }, warsaw('2027-01-01T00:00'), warsaw('2031-01-01T00:00')).filter(takesPlace);
      const starts = all.map((o) => o.start.toMillis());
      expect(new Set(starts).size, rrule).toBe(starts.length);
    }
  });

  it('should shift two holidays in a row to two different days (25 and 26 December)', () => {
    const daily = series({ rrule: 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU', startsLocal: '2028-12-18T10:00' });
    const c25 = occurrenceOn(daily, '2028-12-25')!;
    const c26 = occurrenceOn(daily, '2028-12-26')!;
    // Every following day has a meeting of its own: with no free working day near, the holiday's meeting is skipped.
    expect([c25.status, c26.status]).toEqual(['holiday_skipped', 'holiday_skipped']);
    const thu = series({ rrule: 'FREQ=WEEKLY;BYDAY=MO,TU', startsLocal: '2028-12-18T10:00' });
    expect(local(occurrenceOn(thu, '2028-12-25')!.start)).toBe('2028-12-27T10:00');
    expect(local(occurrenceOn(thu, '2028-12-26')!.start)).toBe('2028-12-28T10:00');
  });
});

describe('occurrences by the time they take place', () => {
  it('should list a meeting moved into the window and leave out one moved away from it', () => {
    const s = series({
      exceptions: [
        { date: '2027-03-02', cancelled: false, movedToLocal: '2027-04-15T12:00' },
        { date: '2027-05-04', cancelled: false, movedToLocal: '2027-04-16T12:00' },
      ],
    });
    const april = occurrencesStartingIn(s, warsaw('2027-04-01T00:00'), warsaw('2027-05-01T00:00'));
    expect(april.map((o) => local(o.start))).toEqual([
      '2027-04-06T10:00',
      '2027-04-13T10:00',
      '2027-04-15T12:00',
      '2027-04-16T12:00',
      '2027-04-20T10:00',
      '2027-04-27T10:00',
    ]);
    const march = occurrencesStartingIn(s, warsaw('2027-03-01T00:00'), warsaw('2027-04-01T00:00'));
    expect(march.map((o) => o.date)).not.toContain('2027-03-02');
  });

  it('should list a meeting shifted off a holiday on the day it takes place', () => {
    // Easter Monday 2027-03-29 → Tuesday 30 March.
    const s = series({ rrule: 'FREQ=WEEKLY;BYDAY=MO', startsLocal: '2027-01-04T10:00' });
    const tuesday = occurrencesStartingIn(s, warsaw('2027-03-30T00:00'), warsaw('2027-03-31T00:00'));
    expect(tuesday.map((o) => [o.date, local(o.start)])).toEqual([['2027-03-29', '2027-03-30T10:00']]);
    expect(occurrencesStartingIn(s, warsaw('2027-03-29T00:00'), warsaw('2027-03-30T00:00'))).toEqual([]);
  });
});
