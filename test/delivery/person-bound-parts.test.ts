import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IcalGeneratorRenderer } from '../../adapters/ical/ical-renderer.js';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import type { DeliveryRow } from '../../src/db/tables.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { enqueue } from '../../src/delivery/outbox.js';
import { deliveryRenderer } from '../../src/delivery/render-delivery.js';
import { INVITATION_TYPES } from '../../src/invitations/invitation-batch.js';
import { parseMailbox } from '../../src/invitations/invitation-message.js';
import { planActivityReminders } from '../../src/invitations/plan-activity-reminders.js';
import { planInvitations } from '../../src/invitations/plan-invitations.js';
import { answerInvitation } from '../../src/invitations/rsvp.js';
import { createLogger } from '../../src/log.js';
import { askConfirmation } from '../../src/me/confirmations.js';
import { hashOf } from '../../src/me/personal-links.js';
import type { ChannelSender, Message } from '../../src/ports/channel.port.js';
import { processScheduleChanges } from '../../src/reminders/change-notices.js';
import { planReminders } from '../../src/reminders/plan-reminders.js';
import { planCheckins } from '../../src/reports/checkins.js';
import { planDigests } from '../../src/reports/digest.js';
import { createProblemReport } from '../../src/reports/problem-reports.js';
import { forwardComment, routeNewReport } from '../../src/reports/report-routing.js';
import { STAFF_REPORT_TYPES } from '../../src/reports/staff-report-messages.js';
import { recordScheduleChanges } from '../../src/schedule/meeting-notices.js';
import { dialects, demoDatabase } from '../support/databases.js';

const SECRET = 'p'.repeat(40);
const log = createLogger('silent');

/** Every payload type deliveryRenderer turns into a message (src/delivery/render-delivery.ts). */
const RENDERED_TYPES = ['reminder', 'meeting_change', ...STAFF_REPORT_TYPES, 'checkin', 'digest', ...INVITATION_TYPES, 'announcement', 'announcement_report', 'personal_link', 'attendance_summary'];

/** The person a signed link (`/{route}/{body}.{mac}`) was made for: its subject. */
function signedSubjects(message: Message): string[] {
  const text = JSON.stringify(message);
  return [...text.matchAll(/\/(?:me|rsvp|forms|reports|unsubscribe|meeting-answer|attendance)\/([A-Za-z0-9_-]+)\.[A-Za-z0-9_-]+/g)].map((m) => {
    const body = JSON.parse(Buffer.from(m[1]!, 'base64url').toString('utf8')) as { s: string };
    return body.s;
  });
}

/**
 * Issue: a check-in carried another coordinator's signed form link, because the batch renders
 * one message per payload and language and the check-in payload did not name its person. Every
 * kind is rendered here for two people in one batch, and each person's message may carry only
 * links signed for them and only their own calendar invitation.
 */
describe.each(dialects)('person-bound parts of every message kind on %s', (kind) => {
  let db: Db;
  const clock = new FixedClock('2026-12-20T12:00:00Z');
  const id = async (email: string) => (await db.db.selectFrom('people').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;

  beforeAll(async () => {
    db = await demoDatabase(kind, clock);
    await db.db.updateTable('people').set({ channels: JSON.stringify(['email']) }).execute();
    const [anna, marta, jan] = [await id('anna.nowak@example.org'), await id('marta.grabowska@example.org'), await id('jan.kowalski@example.org')];
    // Two coordinators in Łódź, so the check-in goes to two people.
    await db.db.updateTable('memberships').set({ role: 'coordinator' }).where('person_id', '=', marta).execute();
    await planReminders(db.db, { clock, horizonDays: 10 });
    await planCheckins(db.db, { clock, horizonDays: 10 });
    await planDigests(db.db, clock);
    await planInvitations(db.db, clock);
    for (const person of [anna, marta]) await answerInvitation(db.db, clock, { activityId: 'szkolenie-niebieska-karta-2027-01', personId: person, answer: 'accepted' });
    // Two people on the waiting list (for the seat offers below) have answered: the deadline
    // reminders go to others. Planned after their answers, or whichever two rows come first
    // could be theirs, rightly dropped at sending (what broke when the rows' order changed).
    const waiting = [await id('katarzyna.wisniewska@example.org'), await id('tomasz.zielinski@example.org')];
    for (const p of waiting) await db.db.insertInto('rsvps').values({ activity_id: 'szkolenie-niebieska-karta-2027-01', person_id: p, answer: 'waiting', answered_at: clock.now() }).execute();
    await planActivityReminders(db.db, clock);
    const reporter = await db.db.selectFrom('people').selectAll().where('id', '=', anna).executeTakeFirstOrThrow();
    const { report } = await createProblemReport(db.db, reporter, { teamId: 'lodz', category: 'other', urgency: 'normal', description: 'Brak sali', link: null }, clock.now());
    await routeNewReport(db.db, report);
    const event = await db.db.insertInto('report_events').values({ report_id: report.id, person_id: anna, action: 'commented', comment: 'Sala jest', created_at: clock.now() }).returning('id').executeTakeFirstOrThrow();
    await forwardComment(db.db, report, event.id, clock.now());
    // A cancellation's notices are written with the change (src/schedule/meeting-notices.ts).
    await recordScheduleChanges(db.db, [{ kind: 'meeting_cancelled', team_id: 'lodz', occurrence_date: '2027-02-09', details: '{}' }], clock.now());
    await processScheduleChanges(db.db, clock);
    // An announcement by two authors: the rows confirmAnnouncement writes (src/announcements/announce.ts).
    for (const author of [anna, jan]) {
      const a = await db.db.insertInto('announcements').values({ author_id: author, text: 'Zmiana sali', team_ids: JSON.stringify(['lodz']), state: 'sent', created_at: clock.now(), sent_at: clock.now() }).returning('id').executeTakeFirstOrThrow();
      await enqueue(db.db, [
        ...[anna, marta].map((p) => ({ key: `announcement:${a.id}:${p}`, kind: 'announcement', personId: p, teamId: 'lodz', channels: ['email' as const], payload: { type: 'announcement', id: String(a.id) }, dueAt: clock.now() })),
        { key: `announcement-report:${a.id}`, kind: 'announcement-report', personId: author, channels: ['email'], payload: { type: 'announcement_report', id: String(a.id) }, dueAt: clock.now() },
      ]);
    }
    // Confirmations asked for on two people's pages, shortly before the batch below is sent (they live an hour).
    for (const p of [anna, marta]) {
      const person = await db.db.selectFrom('people').selectAll().where('id', '=', p).executeTakeFirstOrThrow();
      await askConfirmation(db.db, SECRET, person, 'erase', new Date('2027-01-05T08:30:00Z'));
    }
    // A seat offer as offerFreeSeats writes it (src/invitations/rsvp.ts) to two people at once.
    // The offers themselves: an offer's message goes out only while its offer stands.
    const offered = await db.db.updateTable('invitations').set({ offer_expires_at: new Date('2027-01-10T12:00:00.000Z') }).where('activity_id', '=', 'szkolenie-niebieska-karta-2027-01').where('person_id', 'in', waiting).executeTakeFirst();
    expect(Number(offered.numUpdatedRows)).toBe(2);
    await enqueue(db.db, waiting.map((p) => ({ key: `offer:${p}`, kind: 'invitation', personId: p, channels: ['email' as const], payload: { type: 'rsvp_offer', activityId: 'szkolenie-niebieska-karta-2027-01', personId: String(p), until: '2027-01-10T12:00:00.000Z' }, dueAt: clock.now() })));
  }, 120_000);
  afterAll(async () => db?.close());

  it('should give each of two people in one batch only what is theirs, for every kind the renderer knows', async () => {
    // Two rows of each type, for two people; only those are due, all in one batch.
    const rows = await db.db.selectFrom('deliveries').selectAll().where('person_id', 'is not', null).orderBy('id').execute();
    const chosen: DeliveryRow[] = [];
    for (const type of RENDERED_TYPES) {
      const ofType = rows.filter((r) => (r.payload as { type?: string }).type === type);
      const two = ofType.filter((r, i) => ofType.findIndex((o) => o.person_id === r.person_id) === i).slice(0, 2);
      expect(two.map((r) => r.person_id), `two people get a ${type}`).toHaveLength(2);
      chosen.push(...two);
    }
    expect(new Set(rows.map((r) => (r.payload as { type?: string }).type)).size, 'every planned type is covered').toBe(new Set(RENDERED_TYPES.filter((t) => rows.some((r) => (r.payload as { type?: string }).type === t))).size);
    await db.db.updateTable('deliveries').set({ state: 'cancelled' }).where('id', 'not in', chosen.map((r) => r.id)).execute();
    await db.db.updateTable('deliveries').set({ due_at: clock.now(), next_attempt_at: clock.now(), expires_at: null }).where('id', 'in', chosen.map((r) => r.id)).execute();
    // Meetings and activities are in the future from here on: a reminder or notice renders as it would.
    const sent: { address: string; message: Message }[] = [];
    const sender: ChannelSender = { kind: 'email', send: async (address, message) => (sent.push({ address, message }), { ok: true }) };
    const dispatcher = new Dispatcher({
      db: db.db,
      clock,
      log,
      workerId: 'w',
      batchSize: chosen.length,
      senders: new Map([['email', sender]]),
      render: deliveryRenderer(db.db, 'https://koop.example.org', SECRET, {
        appSecret: SECRET,
        calendar: new IcalGeneratorRenderer('Europe/Warsaw'),
        organizer: parseMailbox('"RCPS" <rcps@example.org>'),
      }),
    });
    // Check-ins and their nudges are asked after the meeting: render them as of then.
    clock.set('2027-01-05T09:00:00Z');
    const report = await dispatcher.runOnce();
    const people = new Map((await db.db.selectFrom('people').select(['id', 'email']).execute()).map((p) => [p.email, p.id]));
    const bound: string[] = [];
    for (const { address, message } of sent) {
      const personId = String(people.get(address));
      for (const [, token] of JSON.stringify(message).matchAll(/\/me\/(?:confirm\/)?([A-Za-z0-9_-]{43})(?![A-Za-z0-9_.-])/g)) {
        const link = await db.db.selectFrom('personal_links').select('person_id').where('token_hash', '=', hashOf(token!)).executeTakeFirst();
        bound.push(`${address} ${String(link?.person_id) === personId ? 'own' : `someone else's (${link?.person_id})`} personal link in "${message.title}"`);
      }
      for (const subject of signedSubjects(message)) bound.push(`${address} ${subject === personId ? 'own' : `someone else's (${subject})`} link in "${message.title}"`);
      for (const attendee of JSON.stringify(message).matchAll(/ATTENDEE[^:]*:mailto:([^\\\s"]+)/gi)) bound.push(`${address} ${attendee[1] === address ? 'own' : `someone else's (${attendee[1]})`} invitation in "${message.title}"`);
    }
    expect(bound.filter((b) => b.includes('someone else'))).toEqual([]);
    const dropped = await db.db.selectFrom('deliveries').select(['payload', 'last_error', 'state']).where('id', 'in', chosen.map((r) => r.id)).where('state', '!=', 'sent').execute();
    expect(dropped.map((d) => `${(d.payload as { type: string }).type}: ${d.state} ${d.last_error}`)).toEqual([]);
    expect(report.sent).toBe(chosen.length);
  });
});
