import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bot } from '../../src/bot/bot.js';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { createLogger } from '../../src/log.js';
import { dialects, demoDatabase } from '../support/databases.js';

const CODE = 'LDZ-2027-001';
const KATARZYNA = 'katarzyna.wisniewska@example.org'; // reported it, Łódź
const JAN = 'jan.kowalski@example.org'; // RCPS
const BARBARA = 'barbara.kowalczyk@example.org'; // coordinates Łowicz: not her report
const JOANNA = 'joanna.mazur@example.org'; // Łódź, writes in English

describe.each(dialects)('The short form "zgłoszenie <numer> <tekst>" comments on a report, on %s', (kind) => {
  let db: Db;
  let bot: Bot;
  const clock = new FixedClock('2027-01-04T08:00:00Z');
  const say = (address: string, command: string, text: string) => bot.handle({ type: 'command', from: { channel: 'console', email: address }, command, text });
  const comments = () => db.db.selectFrom('report_events').select('comment').where('action', '=', 'commented').orderBy('id').execute();
  /** Everything a refused command must leave alone: events, the report's state, the outbox. */
  const snapshot = async () => ({
    events: await db.db.selectFrom('report_events').selectAll().orderBy('id').execute(),
    reports: await db.db.selectFrom('problem_reports').select(['code', 'state']).execute(),
    deliveries: (await db.db.selectFrom('deliveries').select('id').execute()).length,
  });

  beforeAll(async () => {
    db = await demoDatabase(kind, clock);
    bot = new Bot({ db: db.db, clock, publicUrl: 'https://koop.example.org', appSecret: 'k'.repeat(40), log: createLogger('silent') });
    await say(KATARZYNA, 'problem', 'Brak sali na spotkanie w lutym');
  });
  afterAll(async () => {
    await db?.close();
  });

  it('should store text after the number as a comment, line breaks kept, through the long form\'s path (RCPS hears of it)', async () => {
    const before = (await snapshot()).deliveries;
    const answer = await say(KATARZYNA, 'zgłoszenie', ` ${CODE.toLowerCase()} Sala 12 jest wolna\ntylko we wtorki. `);
    expect(answer.text).toBe(`Komentarz do zgłoszenia ${CODE} zapisany.`);
    expect((await comments()).map((c) => c.comment)).toEqual(['Sala 12 jest wolna\ntylko we wtorki.']);
    // Nobody has taken the report yet, so the reporter's comment goes to every RCPS person.
    expect((await snapshot()).deliveries).toBeGreaterThan(before);
    // The long form's ten-minute rule for the same text holds for the short form too.
    await say(KATARZYNA, 'zgłoszenie', `${CODE} komentarz Sala 12 jest wolna\ntylko we wtorki.`);
    expect(await comments()).toHaveLength(1);
  });

  it('should let RCPS comment the short way and keep the verbs for acknowledging and resolving', async () => {
    clock.advance(60_000);
    expect((await say(JAN, 'zgłoszenie', `${CODE} Rezerwuję salę w MOPS.`)).text).toBe(`Komentarz do zgłoszenia ${CODE} zapisany.`);
    expect((await say(JAN, 'zgloszenie', `${CODE} Przyjmij`)).text).toBe(`Zapisano. Zgłoszenie ${CODE} jest teraz: przyjęte. Osoba zgłaszająca dostanie wiadomość.`);
    // A word that only looks like a verb to JavaScript ("constructor") is comment text.
    expect((await say(JOANNA, 'report', `${CODE} constructor of the new room called`)).text).toBe(`Your comment on report ${CODE} is saved.`);
    expect((await comments()).map((c) => c.comment)).toEqual(['Sala 12 jest wolna\ntylko we wtorki.', 'Rezerwuję salę w MOPS.', 'constructor of the new room called']);
  });

  it('should refuse politely, in the person\'s language, and change nothing', async () => {
    clock.advance(60_000);
    const before = await snapshot();
    const refusals: [string, string, string, string][] = [
      [KATARZYNA, 'zgłoszenie', 'LDZ-2027-999 Czy ktoś to widział?', 'Nie ma zgłoszenia LDZ-2027-999, które mogłaby Pani / mógłby Pan zobaczyć. Proszę sprawdzić numer (np. LDZ-2027-014).'],
      [BARBARA, 'zgłoszenie', `${CODE} To nie moje zgłoszenie.`, `Nie ma zgłoszenia ${CODE}, które mogłaby Pani / mógłby Pan zobaczyć. Proszę sprawdzić numer (np. LDZ-2027-014).`],
      [KATARZYNA, 'zgłoszenie', CODE, 'Proszę napisać: „zgłoszenie LDZ-2027-014 <treść komentarza>”; RCPS także „zgłoszenie LDZ-2027-014 przyjmij” albo „… rozwiąż [komentarz]”.'],
      [KATARZYNA, 'zgłoszenie', `${CODE} rozwiąż`, 'Przyjmować i rozwiązywać zgłoszenia mogą pracownicy RCPS. Komentarz można dodać poleceniem „zgłoszenie <numer> <treść>”.'],
      [JOANNA, 'report', 'LDZ-2027-999 anyone?', 'There is no report LDZ-2027-999 that you may see. Please check the number (e.g. LDZ-2027-014).'],
      [JOANNA, 'report', `  ${CODE}  `, 'Please write: "report LDZ-2027-014 <your comment>"; RCPS also "report LDZ-2027-014 ack" or "… resolve [comment]".'],
      [JOANNA, 'report', `${CODE} comment`, 'Please write something (it cannot be empty).'],
      [JOANNA, 'report', `${CODE} ${'x'.repeat(5001)}`, 'The text is too long: 5,001 characters, at most 5,000 are allowed. Please shorten it.'],
    ];
    for (const [who, command, text, expected] of refusals) {
      expect((await say(who, command, text)).text, `${command} ${text.slice(0, 40)}`).toBe(expected);
    }
    expect(await snapshot()).toEqual(before);
  });
});
