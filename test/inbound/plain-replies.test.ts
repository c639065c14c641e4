import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { enqueue } from '../../src/delivery/outbox.js';
import { replyAddress } from '../../src/inbound/reply-address.js';
import { dialects, freshDatabase } from '../support/databases.js';
import { plainMail } from './mails.js';
import { addressOf, inboundRows, invite, MAIL_FROM, personId, rsvpOf, SECRET, sinkFor, smtpEnvelope, START, WORKSHOP } from './world.js';

describe.each(dialects)('plain replies by e-mail on %s', (kind) => {
  let db: Db;
  const clock = new FixedClock(START);
  beforeEach(async () => {
    clock.set(START);
    db = await freshDatabase(kind);
    await invite(db.db, clock);
  });
  afterEach(async () => db?.close());

  const toInvitation = (email: string) => addressOf(db.db, email, `invite:${WORKSHOP}:`);
  /** A meeting reminder to the person, as plan-reminders queues it. */
  const reminderAddress = async (email: string, date = '2027-02-09') => {
    const id = await personId(db.db, email);
    await enqueue(db.db, [{ key: `reminder:lodz:${date}:P1D:${id}`, kind: 'reminder', personId: id, teamId: 'lodz', channels: ['email'], payload: { type: 'reminder', teamId: 'lodz', date, offset: 'P1D' }, dueAt: clock.now() }]);
    return addressOf(db.db, email, `reminder:lodz:${date}`);
  };

  it.each([
    ['Będę.', 'accepted'],
    ['bede', 'accepted'],
    ['Tak, przyjdę!\n\nPozdrawiam\nOsoba 2', 'accepted'],
    ['Nie dam rady, jestem na szkoleniu.\n\nW dniu 1.02.2027 o 10:00 Kooperator <kooperator@rcps.example.org> napisał:\n> Zaproszenie: Warsztaty\n> tak', 'declined'],
    ['nie bede\n-- \nOsoba 2\nKomenda Policji', 'declined'],
    ['Nie.\n\n-----Original Message-----\nFrom: Kooperator\nSent: Monday\n\nTak', 'declined'],
    ['Nie\n\n________________________________\nOd: Kooperator RCPS\nWysłane: poniedziałek, 1 lutego 2027 10:00\nTemat: Zaproszenie', 'declined'],
    ["I'll be there", 'accepted'],
    ["Can't make it, sorry.\n\nOn Mon, 1 Feb 2027 at 10:00, Kooperator wrote:\n> Yes", 'declined'],
    ['Yes', 'accepted'],
    ['Maybe', 'maybe'],
  ])('should record %j to an invitation as %s and confirm it', async (body, answer) => {
    const email = 'lodz2@example.org';
    const outcome = await sinkFor(db.db, clock).receive(plainMail({ from: `Osoba <${email}>`, to: await toInvitation(email), body }), smtpEnvelope());
    expect(outcome).toMatchObject({ status: 'recorded', what: `rsvp:${answer}` });
    expect(await rsvpOf(db.db, email)).toBe(answer);
    expect((await inboundRows(db.db)).map((r) => [r.email, r.kind])).toEqual([[email, 'inbound_confirmation']]);
  });

  it('should send the confirmation as an automatic reply (Auto-Submitted), and forwards to the coordinator as ordinary mail', async () => {
    const email = 'lodz2@example.org';
    await sinkFor(db.db, clock).receive(plainMail({ from: email, to: await toInvitation(email), body: 'Tak' }), smtpEnvelope());
    await sinkFor(db.db, clock).receive(plainMail({ from: email, to: await toInvitation(email), body: 'Proszę o kontakt w sprawie dojazdu.', messageId: 'other@example.org' }), smtpEnvelope());
    const rows = await inboundRows(db.db);
    expect(rows.filter((r) => r.kind === 'inbound_confirmation').map((r) => (r.payload as { autoReply?: boolean }).autoReply)).toEqual([true, true]);
    expect(rows.filter((r) => r.kind !== 'inbound_confirmation').map((r) => (r.payload as { autoReply?: boolean }).autoReply)).not.toContain(true);
  });

  it('should read a reply to our own confirmation as being about the invitation it confirmed', async () => {
    const email = 'lodz2@example.org';
    const sink = sinkFor(db.db, clock);
    await sink.receive(plainMail({ from: email, to: await toInvitation(email), body: 'Tak' }), smtpEnvelope());
    const confirmation = await addressOf(db.db, email, 'inbound:');
    expect(await sink.receive(plainMail({ from: email, to: confirmation, body: 'Jednak nie będę.\n\n> Dziękujemy, zapisaliśmy Panią/Pana' }), smtpEnvelope())).toMatchObject({ what: 'to_rcps:activity' });
    expect(await sink.receive(plainMail({ from: email, to: confirmation, body: 'Nie będę.' }), smtpEnvelope())).toMatchObject({ what: 'rsvp:declined' });
    expect(await rsvpOf(db.db, email)).toBe('declined');
  });

  it('should pass an unclear reply to an invitation on to RCPS and tell the person, in English for an English speaker', async () => {
    const email = 'lodz10@example.org';
    const outcome = await sinkFor(db.db, clock).receive(plainMail({ from: email, to: await toInvitation(email), body: 'Is there parking at the venue?' }), smtpEnvelope());
    expect(outcome).toEqual({ status: 'recorded', what: 'to_rcps:activity' });
    expect(await rsvpOf(db.db, email)).toBeUndefined();
    const rows = await inboundRows(db.db);
    expect(rows.map((r) => [r.email, r.kind])).toEqual([['jan.kowalski@example.org', 'inbound_forward'], [email, 'inbound_confirmation']]);
    expect((rows[1]!.payload as { text: string }).text).toContain('passed it on to RCPS');
    expect(JSON.stringify(rows[0]!.payload)).toContain('Is there parking at the venue?');
  });

  it('should record a clear reply to a meeting reminder as the answer links do, and pass an unclear one to the coordinator', async () => {
    const sink = sinkFor(db.db, clock);
    const email = 'lodz3@example.org';
    const id = await personId(db.db, email);
    expect(await sink.receive(plainMail({ from: email, to: await reminderAddress(email), body: 'Nie będę, mam rozprawę.' }), smtpEnvelope())).toEqual({ status: 'recorded', what: 'meeting_answer:not_attending' });
    expect(await db.db.selectFrom('meeting_answers').select(['occurrence_date', 'answer', 'reason', 'source']).where('person_id', '=', id).execute()).toEqual([
      { occurrence_date: '2027-02-09', answer: 'not_attending', reason: 'mam rozprawę.', source: 'email' },
    ]);
    // answerMeeting's own confirmation, once.
    expect(await db.db.selectFrom('deliveries').select('dedupe_key').where('dedupe_key', 'like', `meeting-answer:lodz:2027-02-09:${id}:%`).execute()).toHaveLength(1);
    expect(await sink.receive(plainMail({ from: email, to: await reminderAddress(email, '2027-02-23'), body: 'A o której to jest?' }), smtpEnvelope())).toEqual({ status: 'recorded', what: 'to_coordinator:unclear' });
    const rows = await inboundRows(db.db);
    expect(rows.map((r) => [r.email, r.kind])).toEqual([
      ['lodz1@example.org', 'inbound_forward'],
      [email, 'inbound_confirmation'],
    ]);
    expect((rows[1]!.payload as { text: string }).text).toBe('Dziękujemy. Nie umiemy odczytać z Pani/Pana odpowiedzi, czy będzie Pani/Pan na spotkaniu zespołu PZK Łódź (23 lutego 2027), więc przekazaliśmy ją koordynatorowi zespołu.');
    expect(JSON.stringify(rows[0]!.payload)).toContain('A o której to jest?');
  });

  it('should forward a tampered address, a replayed address and an unknown one to RCPS as unverified, recording nothing', async () => {
    const sink = sinkFor(db.db, clock);
    const mine = await toInvitation('lodz4@example.org');
    const tampered = mine.replace(/p([0-9a-z]+)\./, (_, p: string) => `p${(parseInt(p, 36) + 1).toString(36)}.`);
    expect(await sink.receive(plainMail({ from: 'lodz5@example.org', to: tampered, body: 'Tak' }), smtpEnvelope())).toEqual({ status: 'ignored', why: 'unverified:bad_signature' });
    // lodz4's invitation forwarded to lodz5, who answers it: the address is lodz4's, the sender is not.
    expect(await sink.receive(plainMail({ from: 'lodz5@example.org', to: mine, body: 'Nie' }), smtpEnvelope())).toEqual({ status: 'ignored', why: 'unverified:other_person' });
    // A valid signature over a delivery that went to someone else (or never existed).
    const other = replyAddress(SECRET, MAIL_FROM, { deliveryId: 999_999, personId: await personId(db.db, 'lodz5@example.org') });
    expect(await sink.receive(plainMail({ from: 'lodz5@example.org', to: other, body: 'Tak' }), smtpEnvelope())).toEqual({ status: 'ignored', why: 'unverified:unknown_address' });
    expect(await sink.receive(plainMail({ from: 'lodz5@example.org', to: 'kooperator@rcps.example.org', body: 'Tak' }), smtpEnvelope())).toEqual({ status: 'ignored', why: 'unverified:unknown_address' });
    expect(await rsvpOf(db.db, 'lodz4@example.org')).toBeUndefined();
    expect(await rsvpOf(db.db, 'lodz5@example.org')).toBeUndefined();
    const rows = await inboundRows(db.db);
    expect(rows.map((r) => [r.email, r.kind])).toEqual(Array(4).fill(['jan.kowalski@example.org', 'inbound_unverified']));
  });

  it('should record a mail offered twice at once (two transports, two replicas) once', async () => {
    const email = 'lodz2@example.org';
    const raw = plainMail({ from: email, to: await toInvitation(email), body: 'Nie' });
    const outcomes = await Promise.all([sinkFor(db.db, clock).receive(raw, smtpEnvelope()), sinkFor(db.db, clock).receive(raw, { transport: 'imap', rcptTo: [] })]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['duplicate', 'recorded']);
    expect((await inboundRows(db.db)).map((r) => r.kind)).toEqual(['inbound_confirmation']);
  });

  it('should find the signed address in Cc, Delivered-To or the envelope as well as in To', async () => {
    const sink = sinkFor(db.db, clock);
    const email = 'lodz6@example.org';
    const address = await toInvitation(email);
    expect(await sink.receive(plainMail({ from: email, to: 'someone@example.org', cc: address, body: 'Tak' }), smtpEnvelope())).toMatchObject({ what: 'rsvp:accepted' });
    expect(await sink.receive(plainMail({ from: email, to: 'list@example.org', body: 'Nie' }), { transport: 'imap', rcptTo: [address] })).toMatchObject({ what: 'rsvp:declined' });
    expect(await sink.receive(plainMail({ from: email, to: 'list@example.org', body: 'Tak', headers: { 'Delivered-To': address } }), smtpEnvelope())).toMatchObject({ what: 'rsvp:accepted' });
  });

  it.each([
    ['Auto-Submitted', { 'Auto-Submitted': 'auto-replied' }, 'Re: Zaproszenie'],
    ['X-Autoreply', { 'X-Autoreply': 'yes' }, 'Re: Zaproszenie'],
    ['X-Autorespond', { 'X-Autorespond': 'Out of office' }, 'Re: Zaproszenie'],
    ['Precedence: auto_reply', { Precedence: 'auto_reply' }, 'Re: Zaproszenie'],
    ['Precedence: bulk', { Precedence: 'bulk' }, 'Re: Zaproszenie'],
    ['Precedence: junk', { Precedence: 'junk' }, 'Re: Zaproszenie'],
    ['"Automatyczna odpowiedź"', {}, 'Automatyczna odpowiedź: Zaproszenie'],
    ['"Out of Office"', {}, 'Out of Office: Invitation'],
    ['"Poza biurem"', {}, 'Poza biurem'],
    ['"Autoreply"', {}, 'Autoreply: Re: Zaproszenie'],
  ])('should never answer an auto-reply marked by %s, nor take it as an answer', async (_, headers, subject) => {
    const email = 'lodz7@example.org';
    const outcome = await sinkFor(db.db, clock).receive(plainMail({ from: email, to: await toInvitation(email), subject, body: 'Tak, odpowiem po powrocie.', headers }), smtpEnvelope());
    expect(outcome).toEqual({ status: 'ignored', why: 'auto_reply' });
    expect(await rsvpOf(db.db, email)).toBeUndefined();
    expect(await inboundRows(db.db)).toEqual([]);
  });

  it('should keep "Auto-Submitted: no" an ordinary reply', async () => {
    const email = 'lodz7@example.org';
    expect(await sinkFor(db.db, clock).receive(plainMail({ from: email, to: await toInvitation(email), body: 'Tak', headers: { 'Auto-Submitted': 'no' } }), smtpEnvelope())).toMatchObject({ what: 'rsvp:accepted' });
  });

  it.each([
    ['Jestem na urlopie od 1 do 14 lipca. W pilnych sprawach proszę pisać do sekretariatu.', 'od 1 lipca 2027 do 14 lipca 2027'],
    ['Urlop: 01.07.2027 - 14.07.2027', 'od 1 lipca 2027 do 14 lipca 2027'],
    ['I am out of the office until 14 July.', 'od 1 lutego 2027 do 14 lipca 2027'],
  ])('should propose (never set) an absence from an out-of-office reply %j, once per period', async (body, period) => {
    const sink = sinkFor(db.db, clock);
    const email = 'lodz8@example.org';
    const address = await toInvitation(email);
    const mail = () => plainMail({ from: email, to: address, subject: 'Automatyczna odpowiedź: Zaproszenie', body, headers: { 'Auto-Submitted': 'auto-replied' } });
    expect(await sink.receive(mail(), smtpEnvelope())).toEqual({ status: 'ignored', why: 'auto_reply:absence_proposed' });
    expect(await sink.receive(mail(), smtpEnvelope())).toEqual({ status: 'ignored', why: 'auto_reply' });
    const rows = await inboundRows(db.db);
    expect(rows.map((r) => [r.email, r.kind])).toEqual([[email, 'absence_proposal']]);
    expect((rows[0]!.payload as { text: string }).text).toContain(period);
    expect((rows[0]!.payload as { text: string }).text).toContain('`ustawienia`');
    expect(await db.db.selectFrom('absence_periods').selectAll().execute()).toEqual([]);
  });

  it('should record a malformed mail as not understood, once, without throwing', async () => {
    const sink = sinkFor(db.db, clock);
    for (const raw of [Buffer.from('\u0000\u00ff\r\n\r\n--'), Buffer.from('Content-Type: multipart/mixed; boundary="x"\r\nFrom: a@example.org\r\n\r\n--x\r\nContent-Type: text/plain; charset=nonsense\r\nContent-Transfer-Encoding: base64\r\n\r\n@@@@\r\n--x'), Buffer.alloc(0)]) {
      const outcome = await sink.receive(raw, smtpEnvelope());
      expect(['ignored', 'duplicate']).toContain(outcome.status);
    }
    const kinds = (await db.db.selectFrom('inbound_mails').select('classified_as').execute()).map((r) => r.classified_as);
    expect(kinds).toContain('not_understood');
  });

  it('should read a 25 MB mail (an attachment) in bounded time and memory, and its answer', async () => {
    const email = 'lodz9@example.org';
    const attachment = Buffer.alloc(18 * 1024 * 1024, 7).toString('base64').replace(/.{76}/g, '$&\r\n');
    const head = `From: ${email}\r\nTo: ${await toInvitation(email)}\r\nSubject: Re: Zaproszenie\r\nMessage-ID: <big@example.org>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n`;
    const raw = Buffer.from(`${head}--b\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nTak, będę.\r\n--b\r\nContent-Type: application/pdf; name="skan.pdf"\r\nContent-Disposition: attachment; filename="skan.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\n${attachment}\r\n--b--\r\n`);
    expect(raw.length).toBeGreaterThan(24 * 1024 * 1024);
    const before = process.memoryUsage().rss;
    const started = performance.now();
    expect(await sinkFor(db.db, clock).receive(raw, smtpEnvelope())).toMatchObject({ what: 'rsvp:accepted' });
    expect(performance.now() - started).toBeLessThan(20_000);
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 * 1024);
  });
});
