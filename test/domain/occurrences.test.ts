import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { isWorkingDay, nextWorkingDay, polishHoliday } from '../../src/domain/holidays.js';
import { expandSeries, takesPlace, type MeetingSeries, type Occurrence } from '../../src/domain/occurrences.js';

const ZONE = 'Europe/Warsaw';

function series(overrides: Partial<MeetingSeries> = {}): MeetingSeries {
  return {
    teamId: 'lodz',
    timezone: ZONE,
    rrule: 'FREQ=MONTHLY;BYDAY=2TU,4TU',
    startsLocal: '2027-01-12T10:00',
    duration: 'PT2H',
    onHoliday: 'shift',
    exceptions: [],
    ...overrides,
  };
}

/** Instants of local midnights in Warsaw, so the window never depends on the process zone. */
const warsaw = (local: string) => DateTime.fromISO(local, { zone: ZONE }).toJSDate();
const in2027 = (s: MeetingSeries) => expandSeries(s, warsaw('2027-01-01T00:00'), warsaw('2028-01-01T00:00'));
const local = (t: DateTime) => t.setZone(ZONE).toFormat("yyyy-MM-dd'T'HH:mm");
const on = (occurrences: Occurrence[], date: string) => {
  const found = occurrences.find((o) => o.date === date);
  if (!found) throw new Error(`no occurrence with identity ${date}`);
  return found;
};

describe('meeting series across the clock changes', () => {
  const occurrences = in2027(series());

  it('should give 24 meetings in 2027 for the 2nd and 4th Tuesday', () => {
    expect(occurrences).toHaveLength(24);
    expect(occurrences[0]!.date).toBe('2027-01-12');
    expect(occurrences.at(-1)!.date).toBe('2027-12-28');
  });

  it('should keep every meeting at 10:00 Warsaw time, whatever the season', () => {
    for (const o of occurrences) {
      expect(o.start.setZone(ZONE).toFormat('HH:mm'), o.date).toBe('10:00');
      expect(o.end.setZone(ZONE).toFormat('HH:mm'), o.date).toBe('12:00');
      expect(o.status).toBe('scheduled');
    }
  });

  it('should be 09:00 UTC in winter and 08:00 UTC in summer (changes on 28 March and 31 October 2027)', () => {
    for (const o of occurrences) {
      const summer = o.date > '2027-03-28' && o.date < '2027-10-31';
      expect(o.start.toUTC().hour, o.date).toBe(summer ? 8 : 9);
    }
    // The meetings either side of each change.
    expect(on(occurrences, '2027-03-23').start.toUTC().hour).toBe(9);
    expect(on(occurrences, '2027-04-13').start.toUTC().hour).toBe(8);
    expect(on(occurrences, '2027-10-26').start.toUTC().hour).toBe(8);
    expect(on(occurrences, '2027-11-09').start.toUTC().hour).toBe(9);
  });

  it('should land a 02:30 meeting on the spring-forward day at a real instant instead of failing', () => {
    // 2027-03-28 02:00–03:00 does not exist in Warsaw (and the day is Easter Sunday, hence keep).
    const daily = expandSeries(
      series({ rrule: 'FREQ=DAILY;COUNT=3', startsLocal: '2027-03-27T02:30', onHoliday: 'keep' }),
      warsaw('2027-03-27T00:00'),
      warsaw('2027-03-30T00:00'),
    );
    expect(daily.map((o) => o.date)).toEqual(['2027-03-27', '2027-03-28', '2027-03-29']);
    const [before, gap, after] = daily as [Occurrence, Occurrence, Occurrence];
    expect(gap.start.isValid).toBe(true);
    // RFC 5545 reads a skipped local time with the offset before the gap: 02:30+01:00, shown as 03:30.
    expect(gap.start.toUTC().toISO()).toBe('2027-03-28T01:30:00.000Z');
    expect(local(gap.start)).toBe('2027-03-28T03:30');
    expect(gap.end.toMillis() - gap.start.toMillis()).toBe(2 * 3600_000);
    expect(before.start < gap.start && gap.start < after.start).toBe(true);
    expect(local(after.start)).toBe('2027-03-29T02:30');
  });
});

describe('meetings on Polish public holidays', () => {
  // Each case: a rule that hits the holiday, the holiday's identity, and where `shift` puts it.
  const cases = [
    { name: 'Independence Day, Thursday 11 November 2027', rrule: 'FREQ=MONTHLY;BYDAY=2TH', starts: '2027-01-14T10:00', date: '2027-11-11', shiftedTo: '2027-11-12T10:00', holiday: 'Narodowe Święto Niepodległości' },
    { name: 'Christmas Eve, Friday 24 December 2027 (a holiday since 2025), over the Christmas weekend', rrule: 'FREQ=MONTHLY;BYDAY=4FR', starts: '2027-01-22T10:00', date: '2027-12-24', shiftedTo: '2027-12-27T10:00', holiday: 'Wigilia Bożego Narodzenia' },
    { name: 'Easter Monday, 29 March 2027, for a weekly Monday series', rrule: 'FREQ=WEEKLY;BYDAY=MO', starts: '2027-01-04T10:00', date: '2027-03-29', shiftedTo: '2027-03-30T10:00', holiday: 'Drugi dzień Wielkanocy' },
  ];

  describe.each(cases)('$name', ({ rrule, starts, date, shiftedTo, holiday }) => {
    const expand = (onHoliday: MeetingSeries['onHoliday']) => in2027(series({ rrule, startsLocal: starts, onHoliday }));

    it('should shift the meeting to the next working day at the same hour and say which holiday', () => {
      const occurrences = expand('shift');
      const o = on(occurrences, date);
      expect(o.status).toBe('shifted');
      expect(local(o.start)).toBe(shiftedTo);
      expect(local(o.originalStart)).toBe(`${date}T10:00`);
      expect(o.end.diff(o.start, 'hours').hours).toBe(2);
      expect(o.holiday).toBe(holiday);
      expect(takesPlace(o)).toBe(true);
      // Only the holiday moves; every other meeting keeps its rule date.
      expect(occurrences.filter((x) => x.status !== 'scheduled').map((x) => x.date)).toEqual(
        occurrences.filter((x) => polishHoliday(x.date)).map((x) => x.date),
      );
    });

    it('should mark the meeting holiday_skipped with skip, keeping its time and the holiday name', () => {
      const o = on(expand('skip'), date);
      expect(o.status).toBe('holiday_skipped');
      expect(local(o.start)).toBe(`${date}T10:00`);
      expect(o.holiday).toBe(holiday);
      expect(takesPlace(o)).toBe(false);
    });

    it('should hold the meeting on the holiday itself with keep', () => {
      const o = on(expand('keep'), date);
      expect(o.status).toBe('scheduled');
      expect(local(o.start)).toBe(`${date}T10:00`);
      expect(takesPlace(o)).toBe(true);
    });
  });
});

describe('cancelled and moved meetings', () => {
  const occurrences = in2027(
    series({
      exceptions: [
        { date: '2027-03-09', cancelled: true, movedToLocal: null },
        { date: '2027-04-13', cancelled: false, movedToLocal: '2027-04-14T12:00' },
        { date: '2027-10-26', cancelled: false, movedToLocal: '2027-11-03T10:00' },
      ],
    }),
  );

  it('should mark a cancelled meeting cancelled at its own time, and not taking place', () => {
    const o = on(occurrences, '2027-03-09');
    expect(o.status).toBe('cancelled');
    expect(local(o.start)).toBe('2027-03-09T10:00');
    expect(takesPlace(o)).toBe(false);
  });

  it('should move a meeting to its new local time while it keeps its rule date as identity', () => {
    const o = on(occurrences, '2027-04-13');
    expect(o.status).toBe('moved');
    expect(o.date).toBe('2027-04-13');
    expect(local(o.originalStart)).toBe('2027-04-13T10:00');
    expect(local(o.start)).toBe('2027-04-14T12:00');
    expect(local(o.end)).toBe('2027-04-14T14:00');
    expect(o.start.toUTC().hour).toBe(10);
  });

  it('should place a meeting moved across the October change by its new date’s offset', () => {
    const o = on(occurrences, '2027-10-26');
    expect(o.originalStart.toUTC().hour).toBe(8);
    expect(local(o.start)).toBe('2027-11-03T10:00');
    expect(o.start.toUTC().hour).toBe(9);
  });

  it('should still count 24 occurrences, every one under its rule date, and leave the others scheduled', () => {
    expect(occurrences).toHaveLength(24);
    expect(occurrences.filter((o) => o.status === 'scheduled')).toHaveLength(21);
  });

  it('should let an exception on a holiday win over the holiday rule', () => {
    const [o] = in2027(
      series({
        rrule: 'FREQ=MONTHLY;BYDAY=2TH',
        startsLocal: '2027-11-11T10:00',
        exceptions: [{ date: '2027-11-11', cancelled: false, movedToLocal: '2027-11-10T09:00' }],
      }),
    );
    expect(o!.status).toBe('moved');
    expect(local(o!.start)).toBe('2027-11-10T09:00');
  });
});

describe('working days', () => {
  it('should count Monday to Friday as working days unless they are public holidays', () => {
    expect(isWorkingDay('2027-01-12')).toBe(true); // Tuesday
    expect(isWorkingDay('2027-01-16')).toBe(false); // Saturday
    expect(isWorkingDay('2027-01-17')).toBe(false); // Sunday
    expect(isWorkingDay('2027-11-11')).toBe(false); // Independence Day, a Thursday
    expect(isWorkingDay('2027-12-24')).toBe(false); // Christmas Eve, a Friday
    expect(isWorkingDay('2027-12-27')).toBe(true);
  });

  it('should find the next working day over weekends and chains of holidays', () => {
    expect(nextWorkingDay('2027-01-12')).toBe('2027-01-13');
    expect(nextWorkingDay('2027-01-15')).toBe('2027-01-18'); // Friday → Monday
    expect(nextWorkingDay('2027-12-24')).toBe('2027-12-27'); // 25 Sat and 26 Sun are holidays too
    expect(nextWorkingDay('2027-04-30')).toBe('2027-05-04'); // 1 May Sat, 2 Sun, 3 May Mon holiday
    expect(nextWorkingDay('2027-03-26')).toBe('2027-03-30'); // Easter weekend and Easter Monday
  });

  it('should name Polish public holidays and nothing else', () => {
    expect(polishHoliday('2027-11-11')).toBe('Narodowe Święto Niepodległości');
    expect(polishHoliday('2027-12-24')).toBe('Wigilia Bożego Narodzenia');
    expect(polishHoliday('2027-03-29')).toBe('Drugi dzień Wielkanocy');
    expect(polishHoliday('2027-03-30')).toBeUndefined();
  });
});
