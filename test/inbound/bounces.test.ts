import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ICAL from 'ical.js';
import { IcalGeneratorRenderer } from '../../adapters/ical/ical-renderer.js';
import { deliveriesCommand } from '../../src/bot/commands/deliveries.js';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { enqueue } from '../../src/delivery/outbox.js';
import { recordOutcomes } from '../../src/delivery/claims.js';
import { deliveryRenderer, shareableRendering } from '../../src/delivery/render-delivery.js';
import { BOUNCE_SKIP_MS, recordBounce } from '../../src/inbound/bounces.js';
import { parseDsn } from '../../src/inbound/dsn-reports.js';
import { readReplyAddress, replyAddress } from '../../src/inbound/reply-address.js';
import { parseMailbox } from '../../src/invitations/invitation-message.js';
import { planInvitations } from '../../src/invitations/plan-invitations.js';
import type { ChannelKind, ChannelSender, Message } from '../../src/ports/channel.port.js';
import { planReminders } from '../../src/reminders/plan-reminders.js';
import { emailAdapterFor, log, startSmtp, type FakeSmtp } from '../adapters/email/support.js';
import { dialects, demoDatabase } from '../support/databases.js';
import { postfixBounce, postfixDelay } from './dsn-samples.js';

const SECRET = 's'.repeat(40);
const MAIL_FROM = '"Kooperator RCPS" <kooperator@example.org>';

/**
 * Outgoing mail carries each row's own signed reply address (Reply-To, envelope sender, ORGANIZER),
 * sent through the real e-mail adapter to a real SMTP server; a bounce to that address marks it
 * failing, moves the delivery to the person's next channel, and later mail skips it.
 */
describe.each(dialects)('reply addresses and bounces on %s', (kind) => {
  let db: Db;
  let smtp: FakeSmtp;
  const clock = new FixedClock('2026-12-20T12:00:00Z');
  const slackSent: { address: string; message: Message }[] = [];
  const slack: ChannelSender = { kind: 'slack', send: async (address, message) => (slackSent.push({ address, message }), { ok: true, providerId: 'ts1' }) };
  const id = async (email: string) => (await db.db.selectFrom('people').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;
  let email: ReturnType<typeof emailAdapterFor>;
  let dispatcher: Dispatcher;

  beforeAll(async () => {
    db = await demoDatabase(kind, clock);
    smtp = await startSmtp();
    email = emailAdapterFor(smtp, MAIL_FROM);
    dispatcher = new Dispatcher({
      db: db.db,
      clock,
      log,
      workerId: 'w',
      senders: new Map<ChannelKind, ChannelSender>([['email', email.sender], ['slack', slack]]),
      render: deliveryRenderer(db.db, 'https://koop.example.org', SECRET, { appSecret: SECRET, calendar: new IcalGeneratorRenderer('Europe/Warsaw'), organizer: parseMailbox(MAIL_FROM) }),
      shareable: shareableRendering,
      replyAddress: (ref) => replyAddress(SECRET, MAIL_FROM, ref),
    });
  }, 120_000);
  afterAll(async () => {
    await email?.stop();
    await smtp?.close();
    await db?.close();
  });

  const onlyDue = async (ids: number[]) => {
    await db.db.updateTable('deliveries').set({ state: 'cancelled' }).where('state', '=', 'pending').where('id', 'not in', ids).execute();
    await db.db.updateTable('deliveries').set({ due_at: clock.now(), next_attempt_at: clock.now(), expires_at: null }).where('id', 'in', ids).execute();
  };

  it('should give two people of one batch, with the same payload, each their own reply address', async () => {
    await db.db.updateTable('people').set({ channels: JSON.stringify(['email']) }).execute();
    await planReminders(db.db, { clock, horizonDays: 30 });
    const reminders = await db.db.selectFrom('deliveries').selectAll().where('kind', '=', 'reminder').orderBy('due_at').orderBy('id').execute();
    const first = reminders[0]!;
    const pair = reminders.filter((r) => JSON.stringify(r.payload) === JSON.stringify(first.payload)).slice(0, 2);
    expect(pair.map((r) => r.person_id)).toHaveLength(2);
    await onlyDue(pair.map((r) => r.id));
    smtp.mails.length = smtp.envelopes.length = 0;

    const report = await dispatcher.runOnce();

    expect(report.sent).toBe(2);
    const people = new Map((await db.db.selectFrom('people').select(['id', 'email']).execute()).map((p) => [p.email, p.id]));
    for (const [i, mail] of smtp.mails.entries()) {
      const to = (mail.to as { value: { address: string }[] }).value[0]!.address;
      const row = pair.find((r) => r.person_id === people.get(to))!;
      const replyTo = (mail.replyTo as { value: { address: string }[] }).value[0]!.address;
      expect(replyTo).toBe(replyAddress(SECRET, MAIL_FROM, { deliveryId: row.id, personId: row.person_id! }));
      expect(smtp.envelopes[i]!.mailFrom).toBe(replyTo);
      expect(readReplyAddress(SECRET, MAIL_FROM, replyTo)).toEqual({ deliveryId: row.id, personId: people.get(to) });
      expect(mail.from?.text).toBe(MAIL_FROM);
    }
    expect(new Set(smtp.mails.map((m) => (m.replyTo as { text: string }).text)).size).toBe(2);
  });

  it("should make an invitation's ORGANIZER the row's signed address with RCPS's name", async () => {
    await planInvitations(db.db, clock);
    const invitation = await db.db.selectFrom('deliveries').selectAll().where('kind', '=', 'invitation').orderBy('id').executeTakeFirstOrThrow();
    await onlyDue([invitation.id]);
    smtp.mails.length = smtp.envelopes.length = 0;

    await dispatcher.runOnce();

    const part = smtp.mails[0]!.attachments.find((a) => a.contentType === 'text/calendar')!;
    const event = new ICAL.Component(ICAL.parse(part.content.toString('utf8')) as unknown[]).getFirstSubcomponent('vevent')!;
    const organizer = event.getFirstProperty('organizer')!;
    const expected = replyAddress(SECRET, MAIL_FROM, { deliveryId: invitation.id, personId: invitation.person_id! });
    expect(organizer.getFirstValue()).toBe(`mailto:${expected}`);
    expect(organizer.getParameter('cn')).toBe('Kooperator RCPS');
    expect(smtp.envelopes[0]!.mailFrom).toBe(expected);
  });

  it('should mark a bounced address failing, fall back to the next channel, skip it later, and show it in dostarczenia', async () => {
    const anna = await id('anna.nowak@example.org');
    await db.db.insertInto('person_channels').values({ person_id: anna, channel: 'slack', external_id: 'U1', address: 'U1' }).execute();
    await enqueue(db.db, [{ key: 'b1', kind: 'notice', personId: anna, channels: ['email', 'slack'], payload: { language: 'pl', title: 'Sala', text: 'Zmiana sali' }, dueAt: clock.now() }]);
    const row = await db.db.selectFrom('deliveries').selectAll().where('dedupe_key', '=', 'b1').executeTakeFirstOrThrow();
    await onlyDue([row.id]);
    smtp.mails.length = smtp.envelopes.length = 0;
    await dispatcher.runOnce();
    const bounceTo = smtp.envelopes[0]!.mailFrom;

    // A delay changes nothing.
    const ref = readReplyAddress(SECRET, MAIL_FROM, bounceTo)!;
    expect(await recordBounce(db.db, ref, parseDsn(postfixDelay(bounceTo, 'anna.nowak@example.org'))![0]!, clock)).toMatch(/^ignored/);
    expect((await db.db.selectFrom('deliveries').select('state').where('id', '=', row.id).executeTakeFirstOrThrow()).state).toBe('sent');

    const [report] = parseDsn(postfixBounce(bounceTo, 'anna.nowak@example.org'))!;
    const done = await db.db.transaction().execute((trx) => recordBounce(trx, ref, report!, clock));
    expect(done).toMatch(/falls back to slack/);
    const moved = await db.db.selectFrom('deliveries').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow();
    expect(moved).toMatchObject({ state: 'pending', channel_index: 1, sent_channel: null });
    // The same bounce again (another DSN about it) never moves the row twice.
    await recordBounce(db.db, ref, report!, clock);
    expect((await db.db.selectFrom('deliveries').select('channel_index').where('id', '=', row.id).executeTakeFirstOrThrow()).channel_index).toBe(1);

    slackSent.length = 0;
    await dispatcher.runOnce();
    expect(slackSent.map((s) => s.message.title)).toEqual(['Sala']);

    // Later mail skips the failing address: straight to Slack, nothing to the mail server.
    await enqueue(db.db, [{ key: 'b2', kind: 'notice', personId: anna, channels: ['email', 'slack'], payload: { language: 'pl', title: 'Druga', text: 'x' }, dueAt: clock.now() }]);
    smtp.mails.length = 0;
    await dispatcher.drain();
    expect(smtp.mails).toHaveLength(0);
    expect(slackSent.map((s) => s.message.title)).toEqual(['Sala', 'Druga']);

    // RCPS sees the address in `dostarczenia`, in Polish.
    const rcps = await db.db.selectFrom('people').selectAll().where('staff_role', 'is not', null).executeTakeFirstOrThrow();
    const answer = await deliveriesCommand({ db: db.db, clock, publicUrl: 'https://koop.example.org', appSecret: SECRET, log, person: { ...rcps, language: 'pl' }, text: '', changed: () => undefined } as never);
    const item = answer.items!.find((i) => i.title.includes('anna.nowak@example.org'))!;
    expect(item.lines.join(' ')).toContain('Adres e-mail odrzuca wiadomości (5.1.1)');

    // After BOUNCE_SKIP_MS without another bounce, e-mail is tried again.
    clock.advance(BOUNCE_SKIP_MS + 60_000);
    await enqueue(db.db, [{ key: 'b3', kind: 'notice', personId: anna, channels: ['email', 'slack'], payload: { language: 'pl', title: 'Trzecia', text: 'x' }, dueAt: clock.now() }]);
    await dispatcher.drain();
    expect(smtp.mails.map((m) => m.subject)).toEqual(['Trzecia']);
  });

  it('should take over a bounced delivery still being recorded as sent, and the late "sent" changes nothing', async () => {
    const marta = await id('marta.grabowska@example.org');
    await enqueue(db.db, [{ key: 'b5', kind: 'notice', personId: marta, channels: ['email', 'slack'], payload: { language: 'pl', title: 'Szybki', text: 'x' }, dueAt: clock.now() }]);
    const row = await db.db.selectFrom('deliveries').selectAll().where('dedupe_key', '=', 'b5').executeTakeFirstOrThrow();
    // Between the mail server's 250 and its outcome write the dispatcher leaves the row as it was,
    // pending at e-mail (a claim is not stored in the row).
    const [report] = parseDsn(postfixBounce('x@example.org', 'marta.grabowska@example.org'))!;
    expect(await recordBounce(db.db, { deliveryId: row.id, personId: marta }, report!, clock)).toMatch(/falls back to slack/);
    await recordOutcomes(db.db, clock.now(), [[row, { state: 'sent', sent_at: clock.now(), sent_channel: 'email', provider_id: 'late', last_error: null }]]);
    expect(await db.db.selectFrom('deliveries').select(['state', 'channel_index', 'claimed_by', 'provider_id']).where('id', '=', row.id).executeTakeFirstOrThrow()).toEqual({ state: 'pending', channel_index: 1, claimed_by: null, provider_id: null });
  });

  it('should end a delivery with no other channel as failed, with the bounce as its reason', async () => {
    const jan = await id('jan.kowalski@example.org');
    await enqueue(db.db, [{ key: 'b4', kind: 'notice', personId: jan, channels: ['email'], payload: { language: 'pl', title: 'Tylko e-mail', text: 'x' }, dueAt: clock.now() }]);
    const row = await db.db.selectFrom('deliveries').selectAll().where('dedupe_key', '=', 'b4').executeTakeFirstOrThrow();
    await dispatcher.drain();
    const [report] = parseDsn(postfixBounce('x@example.org', 'jan.kowalski@example.org'))!;
    expect(await recordBounce(db.db, { deliveryId: row.id, personId: jan }, report!, clock)).toMatch(/failed/);
    const failed = await db.db.selectFrom('deliveries').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow();
    expect(failed.state).toBe('failed');
    expect(failed.last_error).toMatch(/^email: the address bounced: 5\.1\.1/);
  });
});
