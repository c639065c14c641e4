import { describe, expect, it } from 'vitest';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { planActivityReminders } from '../../src/invitations/plan-activity-reminders.js';
import { planInvitations } from '../../src/invitations/plan-invitations.js';
import { answerInvitation } from '../../src/invitations/rsvp.js';
import { createLogger } from '../../src/log.js';
import { loadPreferences, savePreferences } from '../../src/preferences/preferences.js';
import { planReminders } from '../../src/reminders/plan-reminders.js';
import { dialects } from '../support/databases.js';
import { everyone, fixtureEachTest, pendingDueTimes, personId, setQuiet as setQuietHours, TRAINING, WORKSHOP } from './support.js';

describe.each(dialects)('invitations and quiet hours on %s', (kind) => {
  const fx = fixtureEachTest(kind);
  const clock = fx.clock;

  /** Due time of each invitation row, by activity and e-mail. */
  const dueTimes = async (activityId: string) => {
    const rows = await fx.db
      .selectFrom('deliveries')
      .innerJoin('people', 'people.id', 'deliveries.person_id')
      .select(['people.email', 'deliveries.due_at', 'deliveries.next_attempt_at'])
      .where('deliveries.kind', '=', 'invitation')
      .where('deliveries.dedupe_key', 'like', `invite:${activityId}:%`)
      .execute();
    for (const r of rows) expect(r.next_attempt_at).toEqual(r.due_at);
    return new Map(rows.map((r) => [r.email, r.due_at.toISOString()]));
  };
  const distinct = (times: Map<string, string>) => [...new Set(times.values())];

  it('should send at once in the daytime', async () => {
    await planInvitations(fx.db, clock);
    expect(distinct(await dueTimes(WORKSHOP))).toEqual(['2027-02-01T09:00:00.000Z']);
  });

  it('should hold an invitation planned at 22:30 until 07:00 local, and the dispatcher should not send it before', async () => {
    clock.set('2027-02-01T21:30:00Z'); // 22:30 in Warsaw
    await planInvitations(fx.db, clock);
    expect(distinct(await dueTimes(WORKSHOP))).toEqual(['2027-02-02T06:00:00.000Z']);
    expect(distinct(await dueTimes(TRAINING))).toEqual(['2027-02-02T06:00:00.000Z']);

    const dispatcher = new Dispatcher({ db: fx.db, clock, log: createLogger('silent'), workerId: 'test', senders: new Map(), batchSize: 500 });
    clock.set('2027-02-02T05:59:59Z');
    expect(await dispatcher.runOnce()).toMatchObject({ sent: 0, failed: 0, retried: 0, cancelled: 0 });
    clock.set('2027-02-02T06:00:00Z');
    const report = await dispatcher.runOnce();
    // No channel is turned on here: what matters is that every invitation was taken up at 07:00.
    // (A row that fails on one channel may be taken up again on its next one in the same run, so
    // the report may count more than the 40 rows; the rows themselves say whether each was tried.)
    expect(report.failed + report.retried).toBeGreaterThanOrEqual(40);
    const untried = await fx.db
      .selectFrom('deliveries')
      .select('dedupe_key')
      .where('kind', '=', 'invitation')
      .where('state', '=', 'pending')
      .where('attempts', '=', 0)
      .where('channel_index', '=', 0)
      .execute();
    expect(untried).toEqual([]);
  });

  it('should follow a person’s own quiet hours', async () => {
    const lodz1 = await personId(fx.db, 'lodz1@example.org');
    await savePreferences(fx.db, lodz1, { ...(await loadPreferences(fx.db, lodz1)), quiet: { from: 22, to: 9 } }, clock.now());
    clock.set('2027-02-01T20:30:00Z'); // 21:30: quiet for everyone else, not yet for lodz1
    await planInvitations(fx.db, clock);
    const times = await dueTimes(WORKSHOP);
    expect(times.get('lodz1@example.org')).toBe('2027-02-01T20:30:00.000Z');
    expect(times.get('lodz2@example.org')).toBe('2027-02-02T06:00:00.000Z');

    clock.set('2027-02-01T09:00:00Z');
    await fx.db.deleteFrom('deliveries').execute();
    await fx.db.deleteFrom('invitations').execute();
    await savePreferences(fx.db, lodz1, { ...(await loadPreferences(fx.db, lodz1)), quiet: { from: 20, to: 9 } }, clock.now());
    clock.set('2027-02-01T22:00:00Z'); // 23:00: quiet until 09:00 for lodz1
    await planInvitations(fx.db, clock);
    expect((await dueTimes(WORKSHOP)).get('lodz1@example.org')).toBe('2027-02-02T08:00:00.000Z');
  });

  it('should send at once when the RSVP deadline would pass before the quiet hours end', async () => {
    clock.set('2027-02-24T20:30:00Z'); // 21:30 on the deadline day (answers close at 23:59)
    await planInvitations(fx.db, clock);
    expect(distinct(await dueTimes(WORKSHOP))).toEqual(['2027-02-24T20:30:00.000Z']);
    // The training has no RSVP deadline and begins weeks later: it waits for the morning.
    expect(distinct(await dueTimes(TRAINING))).toEqual(['2027-02-25T06:00:00.000Z']);
  });

  it('should hold a moved activity’s update until the morning too', async () => {
    await planInvitations(fx.db, clock);
    // The invitations went out in the daytime (an unsent one would be brought up to date instead).
    await fx.db.updateTable('deliveries').set({ state: 'sent', sent_at: clock.now() }).where('kind', '=', 'invitation').execute();
    clock.set('2027-02-01T21:30:00Z');
    await fx.db.updateTable('activities').set((eb) => ({ sequence: eb('sequence', '+', 1), location: 'Łódź, ul. Nowa 1' })).where('id', '=', TRAINING).execute();
    expect(await planInvitations(fx.db, clock)).toEqual({ invited: 0, updated: 10 });
    const updates = await fx.db.selectFrom('deliveries').select('due_at').where('dedupe_key', 'like', `invite:${TRAINING}:%:1`).execute();
    expect(updates).toHaveLength(10);
    expect([...new Set(updates.map((u) => u.due_at.toISOString()))]).toEqual(['2027-02-02T06:00:00.000Z']);
  });

  // A change of quiet hours and what already waits in the outbox.
  const setQuiet = (email: string, from: number, to: number) => setQuietHours(fx.db, clock, email, from, to);
  const due = (keyPrefix: string, email: string) => pendingDueTimes(fx.db, keyPrefix, email);
  const answer = async (email: string, a: 'accepted' | 'declined') => answerInvitation(fx.db, clock, { activityId: WORKSHOP, personId: await personId(fx.db, email), answer: a });

  it('should move invitations held for the night to the end of the new quiet hours, or send them now, for that person only', async () => {
    clock.set('2027-02-01T21:30:00Z'); // 22:30 in Warsaw: held until 07:00
    await planInvitations(fx.db, clock);
    expect(await due(`invite:${WORKSHOP}:`, 'lodz1@example.org')).toEqual(['2027-02-02T06:00:00.000Z']);

    await setQuiet('lodz1@example.org', 22, 6);
    expect(await due('invite:', 'lodz1@example.org')).toEqual(['2027-02-02T05:00:00.000Z']);
    expect(await due('invite:', 'lodz2@example.org')).toEqual(['2027-02-02T06:00:00.000Z']);

    clock.set('2027-02-01T21:45:00Z');
    await setQuiet('lodz1@example.org', 23, 6); // 22:45 is no longer quiet for lodz1
    expect(await due('invite:', 'lodz1@example.org')).toEqual(['2027-02-01T21:45:00.000Z']);
  });

  it('should not hold an invitation past its RSVP deadline when the new quiet hours begin earlier', async () => {
    clock.set('2027-02-24T18:30:00Z'); // 19:30 on the deadline day: sent at once
    await planInvitations(fx.db, clock);
    clock.set('2027-02-24T18:40:00Z');
    await setQuiet('lodz1@example.org', 19, 7);
    // Answers close at 23:59 tonight, before 07:00: the workshop's goes now; the training has no deadline and waits.
    expect(await due(`invite:${WORKSHOP}:`, 'lodz1@example.org')).toEqual(['2027-02-24T18:30:00.000Z']);
    expect(await due(`invite:${TRAINING}:`, 'lodz1@example.org')).toEqual(['2027-02-25T06:00:00.000Z']);
  });

  it('should hold a freed-seat offer made at night until the morning, re-time it with the person’s quiet hours, and send it at once on the deadline day', async () => {
    await planInvitations(fx.db, clock);
    for (const email of everyone.slice(0, 27)) {
      clock.advance(60_000);
      await answer(email, 'accepted');
    }
    const [first, second, third] = [everyone[24]!, everyone[25]!, everyone[26]!];
    clock.set('2027-02-05T21:30:00Z'); // Friday 22:30
    await answer(everyone[0]!, 'declined');
    expect(await due('rsvp-offer:', first)).toEqual(['2027-02-06T06:00:00.000Z']);
    await setQuiet(first, 22, 9);
    expect(await due('rsvp-offer:', first)).toEqual(['2027-02-06T08:00:00.000Z']);

    // A person with quiet hours of their own is offered a seat by those hours.
    await setQuiet(second, 21, 8);
    clock.set('2027-02-05T21:40:00Z');
    await answer(everyone[1]!, 'declined');
    expect(await due('rsvp-offer:', second)).toEqual(['2027-02-06T07:00:00.000Z']);

    clock.set('2027-02-24T21:30:00Z'); // 22:30 on the RSVP deadline day: waiting would be too late
    await answer(everyone[2]!, 'declined');
    expect(await due('rsvp-offer:', third)).toEqual(['2027-02-24T21:30:00.000Z']);
  });

  it('should re-time meeting reminders and keep one held past its time; activity reminders at 09:00 are outside both new quiet hours', async () => {
    await planInvitations(fx.db, clock);
    await planReminders(fx.db, { clock, horizonDays: 14 });
    await answer('lodz1@example.org', 'accepted');
    await planActivityReminders(fx.db, clock);
    const activityReminders = await due('activity-reminder:', 'lodz1@example.org');
    expect(activityReminders).toHaveLength(2);
    // Tuesday 9 February, 10:00: the PT2H reminder falls at 08:00.
    const pt2h = 'reminder:lodz:2027-02-09:PT2H:';
    expect(await due(pt2h, 'lodz1@example.org')).toEqual(['2027-02-09T07:00:00.000Z']);

    await setQuiet('lodz1@example.org', 22, 9);
    expect(await due(pt2h, 'lodz1@example.org')).toEqual(['2027-02-09T08:00:00.000Z']);
    expect(await due(pt2h, 'lodz2@example.org')).toEqual(['2027-02-09T07:00:00.000Z']);
    expect(await due('activity-reminder:', 'lodz1@example.org')).toEqual(activityReminders);

    // 08:30: the reminder's own time has passed, it waits for 09:00; quiet hours now end at 08:00, so it goes now.
    clock.set('2027-02-09T07:30:00Z');
    await setQuiet('lodz1@example.org', 22, 8);
    expect(await due(pt2h, 'lodz1@example.org')).toEqual(['2027-02-09T07:30:00.000Z']);
    expect(await due('activity-reminder:', 'lodz1@example.org')).toEqual(activityReminders);
  });
});
