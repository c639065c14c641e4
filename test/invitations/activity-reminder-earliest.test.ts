import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { planActivityReminders } from '../../src/invitations/plan-activity-reminders.js';
import { planInvitations } from '../../src/invitations/plan-invitations.js';
import { answerInvitation } from '../../src/invitations/rsvp.js';
import { dialects } from '../support/databases.js';
import { fixtureEachTest, personId, setQuiet, WORKSHOP } from './support.js';

// Reminders of activities may leave ahead of a lump like meeting reminders (earliest_at,
// docs/delivery-engine.md): planned with it, re-timed with it when quiet hours change. The
// invitations, seat offers and RSVP-deadline reminders beside them keep null.
describe.each(dialects)('earliest_at of the reminders of activities on %s', (kind) => {
  const fx = fixtureEachTest(kind);
  const clock = fx.clock;

  const accept = async (email: string) =>
    expect(await answerInvitation(fx.db, clock, { activityId: WORKSHOP, personId: await personId(fx.db, email), answer: 'accepted' })).toMatchObject({ ok: true });
  /** Pending rows of one person whose key starts so: due time and earliest_at, in UTC. */
  const rows = async (keyPrefix: string, email: string) =>
    (
      await fx.db
        .selectFrom('deliveries')
        .innerJoin('people', 'people.id', 'deliveries.person_id')
        .select(['deliveries.due_at', 'deliveries.earliest_at'])
        .where('people.email', '=', email)
        .where('deliveries.state', '=', 'pending')
        .where('deliveries.dedupe_key', 'like', `${keyPrefix}%`)
        .orderBy('deliveries.due_at')
        .execute()
    ).map((r) => `${r.due_at.toISOString()} ${r.earliest_at?.toISOString() ?? null}`);
  const othersWithEarliest = async () =>
    (
      await sql<{ dedupe_key: string }>`
        select dedupe_key from deliveries where earliest_at is not null and (kind <> 'reminder' or payload->>'type' <> 'activity_reminder')`.execute(fx.db)
    ).rows.map((r) => r.dedupe_key);

  it('plans them with earliest_at and re-times it with the quiet hours; other kinds keep null', async () => {
    await planInvitations(fx.db, clock);
    await accept('lodz1@example.org');
    await accept('lodz2@example.org');
    await planActivityReminders(fx.db, clock);
    // The workshop begins Wednesday 10 March 2027 at 09:00 in Warsaw (08:00 UTC). Seven days
    // before: not before that day's end of quiet hours (07:00, 06:00 UTC); the day before: 2.4 h
    // before 09:00 is 06:36, still quiet, so 07:00 too.
    expect(await rows('activity-reminder:', 'lodz2@example.org')).toEqual(['2027-03-03T08:00:00.000Z 2027-03-03T06:00:00.000Z', '2027-03-09T08:00:00.000Z 2027-03-09T06:00:00.000Z']);
    expect(await rows('activity-reminder:', 'lodz1@example.org')).toEqual(['2027-03-03T08:00:00.000Z 2027-03-03T06:00:00.000Z', '2027-03-09T08:00:00.000Z 2027-03-09T06:00:00.000Z']);

    // Quiet until 10:00: held to 10:00 (09:00 UTC), and never early.
    await setQuiet(fx.db, clock, 'lodz1@example.org', 22, 10);
    expect(await rows('activity-reminder:', 'lodz1@example.org')).toEqual(['2027-03-03T09:00:00.000Z 2027-03-03T09:00:00.000Z', '2027-03-09T09:00:00.000Z 2027-03-09T09:00:00.000Z']);
    // Quiet until 08:00: the due times stay at 09:00, only the windows change (from 08:00, 07:00 UTC).
    await setQuiet(fx.db, clock, 'lodz2@example.org', 22, 8);
    expect(await rows('activity-reminder:', 'lodz2@example.org')).toEqual(['2027-03-03T08:00:00.000Z 2027-03-03T07:00:00.000Z', '2027-03-09T08:00:00.000Z 2027-03-09T07:00:00.000Z']);
    // No quiet hours: the seven-day one from midnight (23:00 UTC), the day-before one 2.4 h early.
    await setQuiet(fx.db, clock, 'lodz2@example.org', 0, 0);
    expect(await rows('activity-reminder:', 'lodz2@example.org')).toEqual(['2027-03-03T08:00:00.000Z 2027-03-02T23:00:00.000Z', '2027-03-09T08:00:00.000Z 2027-03-09T05:36:00.000Z']);

    expect(await rows('rsvp-deadline:', 'lowicz3@example.org')).toEqual(['2027-02-19T08:00:00.000Z null']);
    expect(await fx.db.selectFrom('deliveries').select('id').where('kind', '!=', 'reminder').execute()).not.toEqual([]);
    expect(await othersWithEarliest()).toEqual([]);
  });
});
