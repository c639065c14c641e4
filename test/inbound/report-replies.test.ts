import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Bot } from '../../src/bot/bot.js';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { createLogger } from '../../src/log.js';
import { dialects, demoDatabase } from '../support/databases.js';
import { plainMail } from './mails.js';
import { addressOf, inboundRows, sinkFor, smtpEnvelope } from './world.js';

const CODE = 'LDZ-2027-001';
const REPORTER = 'katarzyna.wisniewska@example.org';
const RCPS = 'jan.kowalski@example.org';

describe.each(dialects)('a reply to a problem report\'s e-mail is a comment, by the chat command\'s rules, on %s', (kind) => {
  let db: Db;
  const clock = new FixedClock('2027-01-04T08:00:00Z');
  beforeEach(async () => {
    clock.set('2027-01-04T08:00:00Z');
    db = await demoDatabase(kind, clock);
    const bot = new Bot({ db: db.db, clock, publicUrl: 'https://koop.example.org', appSecret: 'k'.repeat(40), log: createLogger('silent') });
    const say = (email: string, command: string, text: string) => bot.handle({ type: 'command', from: { channel: 'console', email }, command, text });
    await say(REPORTER, 'problem', 'Brak sali na spotkanie w lutym');
    await say(RCPS, 'zgłoszenie', `${CODE} przyjmij Sprawdzamy.`);
  });
  afterEach(async () => db?.close());

  const comments = async () => (await db.db.selectFrom('report_events').innerJoin('people', 'people.id', 'report_events.person_id').select(['people.email', 'report_events.comment']).where('action', '=', 'commented').orderBy('report_events.id').execute());

  it('should store the reporter\'s reply (quote stripped) as a comment, forward it to the RCPS person who took the report and confirm it', async () => {
    const address = await addressOf(db.db, REPORTER, `report:${CODE}:event:`);
    const outcome = await sinkFor(db.db, clock).receive(plainMail({ from: REPORTER, to: address, subject: `Re: ${CODE}`, body: 'Sala 12 jest wolna we wtorki.\n\nW dniu 4.01.2027 o 09:00 Kooperator napisał:\n> Sprawdzamy.' }), smtpEnvelope());
    expect(outcome).toEqual({ status: 'recorded', what: 'report_comment' });
    expect(await comments()).toEqual([{ email: REPORTER, comment: 'Sala 12 jest wolna we wtorki.' }]);
    const forwards = await db.db.selectFrom('deliveries').leftJoin('people', 'people.id', 'deliveries.person_id').select(['people.email', 'deliveries.kind']).where('dedupe_key', 'like', `report:${CODE}:event:%`).where('kind', '=', 'report_comment').execute();
    expect(forwards).toEqual([{ email: RCPS, kind: 'report_comment' }]);
    const [confirmation] = await inboundRows(db.db);
    expect(confirmation).toMatchObject({ email: REPORTER, kind: 'inbound_confirmation' });
    expect((confirmation!.payload as { text: string }).text).toBe(`Komentarz do zgłoszenia ${CODE} zapisany.`);
  });

  it('should let RCPS comment by replying to the report\'s mail, telling the reporter', async () => {
    const address = await addressOf(db.db, RCPS, `report:${CODE}:new:`);
    expect(await sinkFor(db.db, clock).receive(plainMail({ from: RCPS, to: address, body: 'Rezerwujemy salę 3.' }), smtpEnvelope())).toEqual({ status: 'recorded', what: 'report_comment' });
    const told = await db.db.selectFrom('deliveries').select('dedupe_key').where('dedupe_key', 'like', `report:${CODE}:event:%:reporter`).execute();
    expect(told).toHaveLength(2); // the acknowledgement and this comment
  });

  it('should refuse politely, storing nothing, when the person may no longer see the report (staff role taken away)', async () => {
    const address = await addressOf(db.db, RCPS, `report:${CODE}:new:`);
    await db.db.updateTable('people').set({ staff_role: null }).where('email', '=', RCPS).execute();
    expect(await sinkFor(db.db, clock).receive(plainMail({ from: RCPS, to: address, body: 'Rezerwujemy salę 3.' }), smtpEnvelope())).toEqual({ status: 'recorded', what: 'report_comment_refused:404' });
    expect(await comments()).toEqual([]);
    const [reply] = await inboundRows(db.db);
    expect((reply!.payload as { text: string }).text).toContain(CODE);
  });

  it('should answer a reply with only the quoted mail that there was nothing to add', async () => {
    const address = await addressOf(db.db, REPORTER, `report:${CODE}:event:`);
    expect(await sinkFor(db.db, clock).receive(plainMail({ from: REPORTER, to: address, body: '\n\nOn Mon, 4 Jan 2027 at 09:00, Kooperator wrote:\n> Sprawdzamy.' }), smtpEnvelope())).toEqual({ status: 'recorded', what: 'report_comment_refused:400' });
    expect(await comments()).toEqual([]);
  });
});
