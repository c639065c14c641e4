import { describe, expect, it } from 'vitest';
import { IcalGeneratorRenderer } from '../../adapters/ical/ical-renderer.js';
import type { DeliveryRow } from '../../src/db/tables.js';
import { deliveryRenderer } from '../../src/delivery/render-delivery.js';
import { planActivityReminders } from '../../src/invitations/plan-activity-reminders.js';
import { parseMailbox } from '../../src/invitations/invitation-message.js';
import { planInvitations } from '../../src/invitations/plan-invitations.js';
import { answerInvitation } from '../../src/invitations/rsvp.js';
import { dialects } from '../support/databases.js';
import { everyone, fixtureEachTest, fullWithTwoWaiting, personId, WORKSHOP } from './support.js';

const SECRET = 's'.repeat(40);
// Provider ids as the Slack adapter records them (channel:ts).
const INVITATION = 'UKUTNO5:1000.000001';
const OFFER = 'UKUTNO5:1000.000002';
const REMINDER = 'UKUTNO5:1000.000003';

/**
 * Review: a chat update or seat offer names the message it replaces (invitation-message.ts,
 * `message.replaces`), the last one sent in that chat (invitation-batch.ts, `previous`). That was
 * found by taking the activity id out of each sent row's key as `invite:{activity}:{person}:{n}`;
 * an offer's key `rsvp-offer:{activity}:{person}:{ISO instant}` (colons in the time) gave a wrong
 * id, so a sent offer was never seen: the update replaced the invitation before it, and the
 * offer's buttons stayed as they were. A reminder (before the deadline, before the activity) is a
 * separate nudge and is never what an update replaces.
 */
describe.each(dialects)('the chat message an update or an offer replaces, on %s', (kind) => {
  const fixture = fixtureEachTest(kind);
  const { clock } = fixture;
  const render = (row: DeliveryRow) =>
    deliveryRenderer(fixture.db, 'https://koop.example.org', SECRET, {
      appSecret: SECRET,
      calendar: new IcalGeneratorRenderer('Europe/Warsaw'),
      organizer: parseMailbox('"RCPS" <rcps@example.org>'),
    })({ ...row, claimed_at: clock.now() }, 'pl');
  const answer = async (email: string, a: 'accepted' | 'declined' | 'maybe') =>
    answerInvitation(fixture.db, clock, { activityId: WORKSHOP, personId: await personId(fixture.db, email), answer: a });
  const inSlack = (email: string) => fixture.db.updateTable('people').set({ channels: JSON.stringify(['slack', 'email']) }).where('email', '=', email).execute();
  /** The person's newest row whose key starts so. */
  const newest = async (prefix: string, email: string) =>
    fixture.db
      .selectFrom('deliveries')
      .selectAll()
      .where('dedupe_key', 'like', `${prefix}%`)
      .where('person_id', '=', await personId(fixture.db, email))
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
  /** That row sent in Slack, as the dispatcher records it. */
  const sentInSlack = async (prefix: string, email: string, providerId: string) => {
    const row = await newest(prefix, email);
    expect(row.channels).toEqual(['slack', 'email']);
    await fixture.db.updateTable('deliveries').set({ state: 'sent', sent_channel: 'slack', channel_index: 0, sent_at: clock.now(), provider_id: providerId }).where('id', '=', row.id).execute();
  };
  /** The activity changed: its invitations are updated (as an import does, with a higher SEQUENCE). */
  const changed = async () => {
    await fixture.db.updateTable('activities').set((eb) => ({ sequence: eb('sequence', '+', 1), description: 'Zbiórka o 8:30 przy recepcji.', updated_at: clock.now() })).where('id', '=', WORKSHOP).execute();
    await planInvitations(fixture.db, clock);
  };
  /** The pending update to the person's invitation, as rendered for Slack. */
  const update = async (email: string) => {
    const row = await fixture.db
      .selectFrom('deliveries')
      .selectAll()
      .where('dedupe_key', 'like', `invite:${WORKSHOP}:%`)
      .where('person_id', '=', await personId(fixture.db, email))
      .where('state', '=', 'pending')
      .executeTakeFirstOrThrow();
    expect(row.payload).toMatchObject({ type: 'invitation', update: '1' });
    return render(row);
  };
  /** Invited in Slack (INVITATION), then offered a freed seat in Slack (OFFER). */
  const invitedThenOffered = async () => {
    const first = everyone[24]!;
    await inSlack(first);
    const [waiting] = await fullWithTwoWaiting(fixture.db, clock);
    expect(waiting).toBe(first);
    await sentInSlack('invite:', first, INVITATION);
    clock.set('2027-02-05T09:00:00Z');
    await answer(everyone[0]!, 'declined'); // the seat is offered to `first`
    const offer = await render(await newest('rsvp-offer:', first));
    expect(offer?.title).toBeTruthy();
    expect(offer?.replaces).toBe(INVITATION); // the offer replaces the invitation's buttons
    await sentInSlack('rsvp-offer:', first, OFFER);
    return first;
  };

  it('should have an update after a seat offer replace the offer message, not the invitation', async () => {
    const first = await invitedThenOffered();
    clock.advance(3600_000);
    await changed();
    expect((await update(first))?.replaces).toBe(OFFER);
  });

  it('should have a second offer replace the first offer message, not the invitation', async () => {
    const first = await invitedThenOffered();
    const second = everyone[25]!;
    clock.advance(60_000);
    await answer(first, 'maybe'); // gives the offer up: the seat goes to `second`
    clock.advance(60_000);
    expect(await answer(first, 'accepted')).toMatchObject({ status: 'waiting' });
    clock.advance(60_000);
    await answer(second, 'declined'); // the seat comes back to `first`: a second offer
    const again = await newest('rsvp-offer:', first);
    expect(again.state).toBe('pending');
    const message = await render(again);
    expect(message?.title).toBeTruthy();
    expect(message?.replaces).toBe(OFFER);
  });

  it('should not have an update replace a reminder sent after the offer', async () => {
    const first = await invitedThenOffered();
    clock.advance(60_000);
    expect(await answer(first, 'accepted')).toMatchObject({ status: 'accepted' }); // takes the offered seat
    await planActivityReminders(fixture.db, clock);
    clock.set('2027-03-03T09:00:00Z');
    await sentInSlack('activity-reminder:', first, REMINDER);
    clock.advance(3600_000);
    await changed();
    expect((await update(first))?.replaces).toBe(OFFER);
  });

  it('should not have an update replace the reminder before the RSVP deadline', async () => {
    const silent = everyone[0]!; // lodz1, in Slack, who does not answer
    await planInvitations(fixture.db, clock);
    await sentInSlack('invite:', silent, INVITATION);
    await planActivityReminders(fixture.db, clock);
    clock.set('2027-02-19T09:00:00Z');
    await sentInSlack('rsvp-deadline:', silent, REMINDER);
    clock.advance(3600_000);
    await changed();
    expect((await update(silent))?.replaces).toBe(INVITATION);
  });
});
