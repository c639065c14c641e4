import { describe, expect, it } from 'vitest';
import { activityDays, minutesOn } from '../../src/participation/activity-days.js';

const days = (starts_local: string, ends_local: string) =>
  activityDays({ starts_local, ends_local, timezone: 'Europe/Warsaw' }).map((d) => `${d.day} ${d.start.toFormat('HH:mm')}–${d.end.toFormat('HH:mm')}`);

describe('the days of an activity and their hours', () => {
  it('should give every day the same hours when the end\'s time is after the start\'s', () => {
    expect(days('2027-03-10T09:00', '2027-03-11T16:00')).toEqual(['2027-03-10 09:00–16:00', '2027-03-11 09:00–16:00']);
  });

  it('should use the working day for the hours a schedule does not give, never more than the activity runs', () => {
    expect(days('2027-03-12T15:00', '2027-03-14T13:00')).toEqual(['2027-03-12 15:00–17:00', '2027-03-13 09:00–17:00', '2027-03-14 09:00–13:00']);
    // An evening-to-morning retreat: the evening to midnight, the morning from midnight.
    expect(days('2027-03-12T19:00', '2027-03-13T08:00')).toEqual(['2027-03-12 19:00–00:00', '2027-03-13 00:00–08:00']);
    const all = activityDays({ starts_local: '2027-03-12T15:00', ends_local: '2027-03-14T13:00', timezone: 'Europe/Warsaw' });
    expect(minutesOn(all, new Set(all.map((d) => d.day)))).toBe(14 * 60);
  });

  it('should never give an empty day: an end at midnight closes the day before', () => {
    expect(days('2027-03-10T18:00', '2027-03-11T00:00')).toEqual(['2027-03-10 18:00–00:00']);
    expect(days('2027-03-10T09:00', '2027-03-12T00:00')).toEqual(['2027-03-10 09:00–17:00', '2027-03-11 09:00–00:00']);
    expect(days('2027-03-10T09:00', '2027-03-10T09:00')).toEqual([]);
  });
});
