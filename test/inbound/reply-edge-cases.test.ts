import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { enqueue } from '../../src/delivery/outbox.js';
import { plainAnswer } from '../../src/inbound/reply-text.js';
import { dialects, freshDatabase } from '../support/databases.js';
import { itipMail, plainMail } from './mails.js';
import { addressOf, inboundRows, invite, personId, rsvpOf, sinkFor, smtpEnvelope, START, WORKSHOP, WORKSHOP_TITLE, WORKSHOP_UID } from './world.js';

/**
 * Hostile review of issue 16's "understanding" half (src/inbound/). Each test names what it
 * proves; each fails on main as merged (6d3b977 + b72d06b).
 */
describe.each(dialects)('review of inbound mail understanding on %s', (kind) => {
  let db: Db;
  const clock = new FixedClock(START);
  beforeEach(async () => {
    clock.set(START);
    db = await freshDatabase(kind);
    await invite(db.db, clock);
  });
  afterEach(async () => db?.close());

  const toInvitation = (email: string) => addressOf(db.db, email, `invite:${WORKSHOP}:`);
  const reminderAddress = async (email: string, date = '2027-02-09') => {
    const id = await personId(db.db, email);
    await enqueue(db.db, [{ key: `reminder:lodz:${date}:P1D:${id}`, kind: 'reminder', personId: id, teamId: 'lodz', channels: ['email'], payload: { type: 'reminder', teamId: 'lodz', date, offset: 'P1D' }, dueAt: clock.now() }]);
    return addressOf(db.db, email, `reminder:lodz:${date}`);
  };

  // reply-topic.ts: /^inbound:(\d+):/ matches the FORWARD's key (inbound:<id>:forward:<coordinator>) as well as
  // the confirmation's, so the coordinator's reply to the forward is read as the coordinator's own meeting answer.
  it('should not take a coordinator\'s e-mail reply to a forwarded member reply as the coordinator\'s own meeting answer', async () => {
    const sink = sinkFor(db.db, clock);
    const member = 'lodz3@example.org';
    expect(await sink.receive(plainMail({ from: member, to: await reminderAddress(member), body: 'A o której to jest?' }), smtpEnvelope())).toEqual({ status: 'recorded', what: 'to_coordinator:unclear' });
    const coordinator = 'lodz1@example.org';
    expect((await inboundRows(db.db)).map((r) => [r.email, r.kind])).toContainEqual([coordinator, 'inbound_forward']);
    // The coordinator answers the member (by replying to the forward in their mail client).
    const forwardAddress = await addressOf(db.db, coordinator, 'inbound:');
    const outcome = await sink.receive(plainMail({ from: coordinator, to: forwardAddress, subject: 'Re: Odpowiedź członka zespołu', body: 'Tak, dziękuję za informację. O 17:00.' }), smtpEnvelope());
    const coordinatorAnswers = await db.db.selectFrom('meeting_answers').select(['answer', 'source']).where('person_id', '=', await personId(db.db, coordinator)).execute();
    expect(coordinatorAnswers, `outcome ${JSON.stringify(outcome)}`).toEqual([]);
    expect(outcome).not.toMatchObject({ what: expect.stringMatching(/^meeting_answer:/) });
  });

  // receive-mail.ts: inbound_mails.message_key is the Message-ID alone; a mail from anyone carrying a real reply's
  // Message-ID first makes the real reply a 'duplicate', dropped with no answer and no confirmation.
  it('should still record a person\'s signed reply when an unverified mail from someone else already used its Message-ID', async () => {
    const sink = sinkFor(db.db, clock);
    const email = 'lodz2@example.org';
    const id = 'CAF=reply-12345@mail.gmail.com';
    expect(await sink.receive(plainMail({ from: 'attacker@evil.example.net', to: 'kooperator@rcps.example.org', body: 'hello', messageId: id }), smtpEnvelope())).toMatchObject({ status: 'ignored' });
    const outcome = await sink.receive(plainMail({ from: email, to: await toInvitation(email), body: 'Będę.', messageId: id }), smtpEnvelope());
    expect(outcome).toMatchObject({ status: 'recorded', what: 'rsvp:accepted' });
    expect(await rsvpOf(db.db, email)).toBe('accepted');
  });

  it('should record two different people\'s signed replies that happen to share a Message-ID', async () => {
    const sink = sinkFor(db.db, clock);
    const id = 'fixed-id@broken-client.example.org';
    expect(await sink.receive(plainMail({ from: 'lodz2@example.org', to: await toInvitation('lodz2@example.org'), body: 'Tak', messageId: id }), smtpEnvelope())).toMatchObject({ what: 'rsvp:accepted' });
    expect(await sink.receive(plainMail({ from: 'lodz4@example.org', to: await toInvitation('lodz4@example.org'), body: 'Nie', messageId: id }), smtpEnvelope())).toMatchObject({ what: 'rsvp:declined' });
    expect(await rsvpOf(db.db, 'lodz4@example.org')).toBe('declined');
  });

  // parse-mail.ts lower-cases the whole Message-ID; its local part is case-sensitive (RFC 5322 msg-id), so two
  // different mails collapse into one key and the second is dropped as a duplicate.
  it('should not treat Message-IDs differing only in case as the same mail', async () => {
    const sink = sinkFor(db.db, clock);
    expect(await sink.receive(plainMail({ from: 'lodz2@example.org', to: await toInvitation('lodz2@example.org'), body: 'Tak', messageId: 'AbC123@mx.example.org' }), smtpEnvelope())).toMatchObject({ what: 'rsvp:accepted' });
    expect(await sink.receive(plainMail({ from: 'lodz2@example.org', to: await toInvitation('lodz2@example.org'), body: 'Nie', messageId: 'aBc123@mx.example.org' }), smtpEnvelope())).toMatchObject({ what: 'rsvp:declined' });
  });

  // itip.ts never reads SEQUENCE: a calendar's REPLY to an invitation the activity has since superseded (new date,
  // SEQUENCE raised) is recorded as an answer to the new date (RFC 5546 §2.1.5: an older SEQUENCE is out of date).
  it('should not record an ACCEPTED REPLY to an older SEQUENCE of a moved activity as acceptance of the new date', async () => {
    const email = 'lodz5@example.org';
    const raw = itipMail({ client: 'outlook', from: email, to: await toInvitation(email), partstat: 'ACCEPTED', uid: WORKSHOP_UID, title: WORKSHOP_TITLE });
    // test/fixtures/itip/outlook-reply.ics answers SEQUENCE:0 (the invitation as first sent).
    const activity = await db.db.selectFrom('activities').select(['sequence', 'starts_at', 'ends_at']).where('id', '=', WORKSHOP).executeTakeFirstOrThrow();
    const week = 7 * 86_400_000;
    await db.db.updateTable('activities').set({ sequence: activity.sequence + 1, starts_at: new Date(activity.starts_at.getTime() + week), ends_at: new Date(activity.ends_at.getTime() + week) }).where('id', '=', WORKSHOP).execute();
    const outcome = await sinkFor(db.db, clock).receive(raw, smtpEnvelope());
    expect(outcome, JSON.stringify(outcome)).not.toMatchObject({ what: 'rsvp:accepted' });
    expect(await rsvpOf(db.db, email)).toBeUndefined();
  });

  // reply-handlers.ts: a meeting answer the person already gave returns meeting_answer:…:unchanged with no message
  // at all (answerMeeting queues nothing for an unchanged answer, and no tellSender follows): a person who answers
  // "Będę" to the D-7 reminder and again to the D-1 reminder hears nothing the second time.
  it('should confirm a second "Będę" to a later reminder of the same meeting (the person always gets a confirmation)', async () => {
    const sink = sinkFor(db.db, clock);
    const email = 'lodz3@example.org';
    const id = await personId(db.db, email);
    const first = await reminderAddress(email);
    expect(await sink.receive(plainMail({ from: email, to: first, body: 'Będę.' }), smtpEnvelope())).toMatchObject({ what: 'meeting_answer:attending' });
    clock.advance(60 * 60_000);
    // The next reminder of the same meeting (another offset), answered the same way.
    await enqueue(db.db, [{ key: `reminder:lodz:2027-02-09:PT2H:${id}`, kind: 'reminder', personId: id, teamId: 'lodz', channels: ['email'], payload: { type: 'reminder', teamId: 'lodz', date: '2027-02-09', offset: 'PT2H' }, dueAt: clock.now() }]);
    const second = await addressOf(db.db, email, 'reminder:lodz:2027-02-09:PT2H');
    expect(await sink.receive(plainMail({ from: email, to: second, body: 'Będę!' }), smtpEnvelope())).toMatchObject({ status: 'recorded' });
    const told = await db.db
      .selectFrom('deliveries')
      .select('dedupe_key')
      .where('person_id', '=', id)
      .where((eb) => eb.or([eb('dedupe_key', 'like', 'meeting-answer:%'), eb('dedupe_key', 'like', 'inbound:%')]))
      .execute();
    expect(told.map((r) => r.dedupe_key)).toHaveLength(2);
  });

  // meeting-answers.ts keys its confirmation meeting-answer:<team>:<date>:<person>:<now>: two mails handled in the
  // same instant ("Będę", then "Jednak nie będę") record "not attending" but the person is only ever told "attending".
  it('should confirm a changed meeting answer even when two mails are handled in the same millisecond', async () => {
    const sink = sinkFor(db.db, clock);
    const email = 'lodz3@example.org';
    const id = await personId(db.db, email);
    expect(await sink.receive(plainMail({ from: email, to: await reminderAddress(email), body: 'Będę.' }), smtpEnvelope())).toMatchObject({ what: 'meeting_answer:attending' });
    expect(await sink.receive(plainMail({ from: email, to: await addressOf(db.db, email, 'reminder:lodz:2027-02-09'), body: 'Nie będę, jednak mam rozprawę.' }), smtpEnvelope())).toMatchObject({ what: 'meeting_answer:not_attending' });
    const confirmations = await db.db.selectFrom('deliveries').select('payload').where('person_id', '=', id).where('dedupe_key', 'like', 'meeting-answer:%').execute();
    expect(confirmations).toHaveLength(2);
  });

  // reply-handlers.ts passOn: `ownWords(mail.text) || mail.text`: a reply with nothing above the quote forwards the
  // QUOTED mail, our own reminder with the person's signed answer links, to the coordinator (a link of one person
  // shown to another).
  it('should not forward our own quoted reminder, with the member\'s signed answer links, when the reply has no words of its own', async () => {
    const sink = sinkFor(db.db, clock);
    const email = 'lodz3@example.org';
    const quoted = 'W dniu 8.02.2027 o 10:00 Kooperator RCPS <kooperator@rcps.example.org> napisał:\n> Spotkanie zespołu PZK Łódź jutro o 17:00.\n> Będę: https://koop.example.org/a/SIGNED-ANSWER-TOKEN-OF-LODZ3\n> Nie będę: https://koop.example.org/a/SIGNED-DECLINE-TOKEN-OF-LODZ3';
    expect(await sink.receive(plainMail({ from: email, to: await reminderAddress(email), body: `\n\n${quoted}` }), smtpEnvelope())).toEqual({ status: 'recorded', what: 'to_coordinator:unclear' });
    const forwards = (await inboundRows(db.db)).filter((r) => r.kind === 'inbound_forward');
    expect(forwards.map((r) => r.email)).toEqual(['lodz1@example.org']);
    expect(JSON.stringify(forwards[0]!.payload)).not.toContain('SIGNED-ANSWER-TOKEN-OF-LODZ3');
  });

  // inbound-messages.ts: forwardText puts meetingAnswerNames ("nie będzie Pani/Pana", "you will not come"), worded
  // for the member, into the message to the COORDINATOR: "Osoba 3 … odpowiedział(a) e-mailem; rozumiemy: nie będzie
  // Pani/Pana" tells the coordinator that THEY will not be there.
  it('should word the coordinator\'s forward of a clear but late "Nie będę" about the member, not as if addressed to the coordinator', async () => {
    const sink = sinkFor(db.db, clock);
    const email = 'lodz3@example.org';
    const address = await reminderAddress(email);
    clock.set('2027-02-09T22:00:00Z'); // the meeting of 9 February has begun (and ended): the answer cannot be recorded
    expect(await sink.receive(plainMail({ from: email, to: address, body: 'Nie będę, przepraszam.' }), smtpEnvelope())).toEqual({ status: 'recorded', what: 'to_coordinator:no' });
    const forward = (await inboundRows(db.db)).find((r) => r.kind === 'inbound_forward')!;
    expect(forward.email).toBe('lodz1@example.org');
    const text = (forward.payload as { text: string }).text;
    expect(text).toContain('lodz3@example.org');
    expect(text).not.toMatch(/Pani\/Pan|you will/);
  });

  // A mailbox's own "thank you for your message" responder that sets no RFC 3834 header answers each of our
  // confirmations; each of its mails is a reply to a confirmation, passed on to RCPS and confirmed again: a mail
  // loop (our confirmations carry no Auto-Submitted: auto-replied either, adapters/email/compose.ts).
  it('should not ping-pong confirmations with a header-less autoresponder', async () => {
    const sink = sinkFor(db.db, clock);
    const email = 'lodz2@example.org';
    expect(await sink.receive(plainMail({ from: email, to: await toInvitation(email), body: 'Czy jest parking?' }), smtpEnvelope())).toMatchObject({ status: 'recorded' });
    for (let round = 0; round < 5; round++) {
      clock.advance(60_000);
      const latest = await addressOf(db.db, email, 'inbound:');
      await sink.receive(plainMail({ from: email, to: latest, subject: 'Re: Wiadomość przekazana', body: 'Dziękujemy za wiadomość. Odpowiemy najszybciej, jak to możliwe.\n\nSekretariat' }), smtpEnvelope());
    }
    const rows = await inboundRows(db.db);
    expect(rows.filter((r) => r.kind === 'inbound_confirmation').length, 'confirmations to the person').toBeLessThanOrEqual(2);
    expect(rows.filter((r) => r.kind === 'inbound_forward').length, 'forwards to RCPS').toBeLessThanOrEqual(2);
  });

  // reply-text.ts plainAnswer: GREETING drops the WHOLE first line ("Dzień dobry, nie dam rady."), so the answer
  // written after the greeting is thrown away and the next line ("Będę na następnym spotkaniu.") is read: a refusal
  // recorded as acceptance.
  it('should not record "Dzień dobry, nie dam rady. / Będę na następnym spotkaniu." as an acceptance', async () => {
    const email = 'lodz8@example.org';
    const outcome = await sinkFor(db.db, clock).receive(plainMail({ from: email, to: await toInvitation(email), body: 'Dzień dobry, nie dam rady.\nBędę na następnym spotkaniu.\n\nPozdrawiam' }), smtpEnvelope());
    expect(outcome, JSON.stringify(outcome)).not.toMatchObject({ what: 'rsvp:accepted' });
    expect(await rsvpOf(db.db, email)).not.toBe('accepted');
  });

  // reply-text.ts: "nie mogę" is a refusal phrase and may be followed by any word, so Polish "I can't wait!" declines.
  it('should not record "Nie mogę się doczekać!" (I can\'t wait) as a refusal', async () => {
    const email = 'lodz6@example.org';
    const outcome = await sinkFor(db.db, clock).receive(plainMail({ from: email, to: await toInvitation(email), body: 'Nie mogę się doczekać!\n\nPozdrawiam\nOsoba 6' }), smtpEnvelope());
    expect(outcome, JSON.stringify(outcome)).not.toMatchObject({ what: 'rsvp:declined' });
    expect(await rsvpOf(db.db, email)).not.toBe('declined');
  });
});

describe('review: plain words read wrongly (reply-text.ts)', () => {
  // English "no" is matched for a Polish speaker: "No, jasne!" / "No, oczywiście" is "yeah, sure" in Polish.
  it.each(['No, jasne!', 'No, oczywiście!'])('should not read the Polish %j as a refusal', (text) => {
    expect(plainAnswer(text)?.answer).not.toBe('no');
  });

  // The contrary check ignores negation: "będę" inside "nie będę" is taken as a yes, so the clearest no is unclear.
  it.each([['Nie, nie będę.', 'no'], ['Tak, nie mogę się doczekać!', 'yes']])('should read %j as %s', (text, answer) => {
    expect(plainAnswer(text)?.answer).toBe(answer);
  });

  // "będę" (a longer phrase) may be followed by any words, so "I will be on leave" is recorded as coming.
  it.each(['Będę na urlopie.', 'Będę wtedy w delegacji, przepraszam.', 'Będę chora.'])('should not read %j as "yes"', (text) => {
    expect(plainAnswer(text)?.answer).not.toBe('yes');
  });

  it.each(['Witam, nie przyjdę.\nPrzyjdę za tydzień.', "Hi, I can't make it.\nI'll be there next time."])('should not read %j (an answer after the greeting, on its line) as "yes"', (text) => {
    expect(plainAnswer(text)?.answer).not.toBe('yes');
  });
});
