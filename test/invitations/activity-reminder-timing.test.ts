import { describe, expect, it } from 'vitest';
import { zoned } from '../../src/domain/local-time.js';
import { planActivityReminders } from '../../src/invitations/plan-activity-reminders.js';
import { planInvitations } from '../../src/invitations/plan-invitations.js';
import { answerInvitation } from '../../src/invitations/rsvp.js';
import { dialects } from '../support/databases.js';
import { fixtureEachTest, pendingDueTimes, personId, setQuiet, TRAINING, WORKSHOP } from './support.js';

// Issue 6: reminders of activities (P7D, P1D to those who accepted) and of the RSVP deadline
// (09:00, three working days before it, to those who have not answered). The instants below are
// UTC, so they hold whatever zone the test runs in; this machine and the Docker image run in UTC.
describe.each(dialects)('timing of the reminders of activities on %s', (kind) => {
  const fx = fixtureEachTest(kind);
  const clock = fx.clock;

  const accept = async (email: string, activityId = WORKSHOP) =>
    expect(await answerInvitation(fx.db, clock, { activityId, personId: await personId(fx.db, email), answer: 'accepted' })).toMatchObject({ ok: true });
  const due = (keyPrefix: string, email: string) => pendingDueTimes(fx.db, keyPrefix, email);
  /** Moves an activity to another local start, as a changed schedule file would. */
  const move = async (activityId: string, startsLocal: string) => {
    const starts = zoned(startsLocal, 'Europe/Warsaw');
    await fx.db.updateTable('activities')
      .set({ starts_local: startsLocal, starts_at: starts.toJSDate(), ends_local: starts.plus({ hours: 4 }).toISO()!.slice(0, 16), ends_at: starts.plus({ hours: 4 }).toJSDate() })
      .where('id', '=', activityId)
      .execute();
  };

  it('should count the days before an activity on the calendar of its zone, across both clock changes', async () => {
    await move(WORKSHOP, '2027-03-29T10:00'); // Monday after the spring change (28 March): 08:00 UTC
    await move(TRAINING, '2027-11-02T10:00'); // Tuesday after the autumn change (31 October): 09:00 UTC
    await planInvitations(fx.db, clock);
    await accept('lodz1@example.org');
    await accept('lodz1@example.org', TRAINING);
    await planActivityReminders(fx.db, clock);
    // 10:00 in Warsaw each time: before the spring change that is 09:00 UTC, before the autumn one 08:00 UTC.
    expect(await due(`activity-reminder:${WORKSHOP}:`, 'lodz1@example.org')).toEqual(['2027-03-22T09:00:00.000Z', '2027-03-28T08:00:00.000Z']);
    expect(await due(`activity-reminder:${TRAINING}:`, 'lodz1@example.org')).toEqual(['2027-10-26T08:00:00.000Z', '2027-11-01T09:00:00.000Z']);
  });

  it('should hold the reminders of activities and of the RSVP deadline until the person’s own quiet hours end', async () => {
    await setQuiet(fx.db, clock, 'lodz1@example.org', 22, 10);
    await setQuiet(fx.db, clock, 'lowicz3@example.org', 22, 10);
    await planInvitations(fx.db, clock);
    await accept('lodz1@example.org');
    await accept('lodz2@example.org');
    await planActivityReminders(fx.db, clock);
    // The workshop begins Wednesday 10 March 2027 at 09:00; 09:00 is quiet for lodz1 until 10:00.
    expect(await due('activity-reminder:', 'lodz1@example.org')).toEqual(['2027-03-03T09:00:00.000Z', '2027-03-09T09:00:00.000Z']);
    expect(await due('activity-reminder:', 'lodz2@example.org')).toEqual(['2027-03-03T08:00:00.000Z', '2027-03-09T08:00:00.000Z']);
    // The deadline is Wednesday 24 February; Friday the 19th at 09:00 is quiet for lowicz3 until 10:00.
    expect(await due('rsvp-deadline:', 'lowicz3@example.org')).toEqual(['2027-02-19T09:00:00.000Z']);
    expect(await due('rsvp-deadline:', 'lowicz4@example.org')).toEqual(['2027-02-19T08:00:00.000Z']);
  });

  it('should re-time them when the quiet hours change, for that person only', async () => {
    await planInvitations(fx.db, clock);
    await accept('lodz1@example.org');
    await accept('lodz2@example.org');
    await planActivityReminders(fx.db, clock);
    await setQuiet(fx.db, clock, 'lodz1@example.org', 22, 10);
    await setQuiet(fx.db, clock, 'lowicz3@example.org', 21, 11);
    expect(await due('activity-reminder:', 'lodz1@example.org')).toEqual(['2027-03-03T09:00:00.000Z', '2027-03-09T09:00:00.000Z']);
    expect(await due('activity-reminder:', 'lodz2@example.org')).toEqual(['2027-03-03T08:00:00.000Z', '2027-03-09T08:00:00.000Z']);
    expect(await due('rsvp-deadline:', 'lowicz3@example.org')).toEqual(['2027-02-19T10:00:00.000Z']);
    expect(await due('rsvp-deadline:', 'lowicz4@example.org')).toEqual(['2027-02-19T08:00:00.000Z']);

    // Back to the default: the reminders return to the times they were meant for.
    await setQuiet(fx.db, clock, 'lodz1@example.org', 20, 7);
    expect(await due('activity-reminder:', 'lodz1@example.org')).toEqual(['2027-03-03T08:00:00.000Z', '2027-03-09T08:00:00.000Z']);
  });

  it('should not hold a reminder past the activity’s start or the close of answers', async () => {
    await planInvitations(fx.db, clock);
    await accept('lodz1@example.org');
    await planActivityReminders(fx.db, clock);
    // Nothing was sent (no dispatcher here): at 22:30 on the deadline day the reminder is still waiting.
    clock.set('2027-02-24T21:30:00Z');
    await setQuiet(fx.db, clock, 'lowicz3@example.org', 22, 7);
    // 07:00 tomorrow is after answers close at 23:59: it keeps its (past) time and goes at once.
    expect(await due('rsvp-deadline:', 'lowicz3@example.org')).toEqual(['2027-02-19T08:00:00.000Z']);

    clock.set('2027-03-10T05:30:00Z'); // 06:30 on the day; the workshop begins at 09:00
    await setQuiet(fx.db, clock, 'lodz1@example.org', 22, 9);
    expect(await due('activity-reminder:', 'lodz1@example.org')).toEqual(['2027-03-03T08:00:00.000Z', '2027-03-09T08:00:00.000Z']);
    // Quiet hours ending before the start do hold them: until 08:00, from now on.
    await setQuiet(fx.db, clock, 'lodz1@example.org', 22, 8);
    expect(await due('activity-reminder:', 'lodz1@example.org')).toEqual(['2027-03-10T07:00:00.000Z']);
  });
});
