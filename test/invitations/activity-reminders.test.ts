import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planActivityReminders } from '../../src/invitations/plan-activity-reminders.js';
import { planInvitations } from '../../src/invitations/plan-invitations.js';
import { answerInvitation } from '../../src/invitations/rsvp.js';
import { dialects } from '../support/databases.js';
import { startChannelHarness, type ChannelHarness } from './channel-harness.js';
import { personId, WORKSHOP } from './support.js';

describe.each(dialects)('reminders of activities and of the RSVP deadline on %s', (kind) => {
  let h: ChannelHarness;
  beforeAll(async () => {
    h = await startChannelHarness(kind);
    await planInvitations(h.db.db, h.clock);
    await h.dispatcher.drain();
  }, 240_000);
  afterAll(async () => h?.close());

  const subjects = (from: number) => h.smtp.mails.slice(from).map((m) => `${(m.to as { text: string }).text} ${m.subject}`);

  it('should remind those who have not answered once, three working days before the deadline, at 09:00', async () => {
    await answerInvitation(h.db.db, h.clock, { activityId: WORKSHOP, personId: await personId(h.db.db, 'kutno1@example.org'), answer: 'accepted' });
    await planActivityReminders(h.db.db, h.clock);
    expect(await planActivityReminders(h.db.db, h.clock)).toBe(0);
    // Answering after planning is enough: the reminder is dropped when it comes due.
    await answerInvitation(h.db.db, h.clock, { activityId: WORKSHOP, personId: await personId(h.db.db, 'kutno2@example.org'), answer: 'maybe' });
    const from = h.smtp.mails.length;
    // The deadline is Wednesday 24 February 2027; three working days before is Friday the 19th, 09:00 in Warsaw.
    h.clock.set('2027-02-19T07:59:00Z');
    await h.dispatcher.drain();
    expect(h.smtp.mails.length).toBe(from);
    h.clock.set('2027-02-19T08:00:00Z');
    await h.dispatcher.drain();
    const sent = subjects(from);
    expect(sent).toHaveLength(20);
    expect(sent.find((s) => s.startsWith('kutno3@'))).toContain('Przypomnienie: prosimy o odpowiedź na zaproszenie „Warsztaty kooperacyjne (wyjazdowe)”');
    expect(sent.some((s) => s.includes('kutno1@') || s.includes('kutno2@'))).toBe(false);
    expect(sent.find((s) => s.startsWith('kutno10@'))).toContain('Reminder: please answer the invitation');
    // A send that met a temporary failure on this busy machine is retried within minutes.
    h.clock.advance(10 * 60_000);
    await h.dispatcher.drain();
    const chat = await h.db.db.selectFrom('deliveries').select('sent_channel').where('dedupe_key', 'like', 'rsvp-deadline:%').where('state', '=', 'sent').execute();
    expect(chat.filter((c) => c.sent_channel !== 'email')).toHaveLength(8);
  });

  it('should remind those who accepted seven days and one day before the start', async () => {
    const from = h.smtp.mails.length;
    h.clock.set('2027-03-03T08:00:00Z'); // 10 March 09:00 Warsaw minus 7 days
    await h.dispatcher.drain();
    expect(subjects(from)).toEqual(['kutno1@example.org Przypomnienie: Warsztaty kooperacyjne (wyjazdowe), za 7 dni']);
    h.clock.set('2027-03-09T08:00:00Z');
    await h.dispatcher.drain();
    expect(subjects(from)[1]).toBe('kutno1@example.org Przypomnienie: Warsztaty kooperacyjne (wyjazdowe), jutro');
  });
});
