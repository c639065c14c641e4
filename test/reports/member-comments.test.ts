import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmailAdapter } from '../../adapters/email/index.js';
import { Bot } from '../../src/bot/bot.js';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { deliveryRenderer } from '../../src/delivery/render-delivery.js';
import { createLogger } from '../../src/log.js';
import { emailAdapterFor, startSmtp, type FakeSmtp } from '../adapters/email/support.js';
import { dialects, demoDatabase } from '../support/databases.js';

const log = createLogger('silent');
const CODE = 'LDZ-2027-001';
const COMMENT_TITLE = `Komentarz do zgłoszenia ${CODE} (PZK Łódź – demo)`;

describe.each(dialects)('Comments from the reporter and their team go to RCPS through the outbox, on %s', (kind) => {
  let db: Db;
  let smtp: FakeSmtp;
  let email: ReturnType<typeof createEmailAdapter>;
  let dispatcher: Dispatcher;
  let bot: Bot;
  const clock = new FixedClock('2027-01-04T08:00:00Z');
  const subjectsTo = (address: string) => smtp.mails.filter((m) => m.to && 'text' in m.to && m.to.text === address).map((m) => m.subject);
  const say = (address: string, command: string, text: string) => bot.handle({ type: 'command', from: { channel: 'console', email: address }, command, text });

  beforeAll(async () => {
    db = await demoDatabase(kind, clock);
    smtp = await startSmtp();
    email = emailAdapterFor(smtp);
    dispatcher = new Dispatcher({ db: db.db, senders: new Map([['email', email.sender]]), clock, log, workerId: 'w', render: deliveryRenderer(db.db, 'https://koop.example.org', 'k'.repeat(40)) });
    bot = new Bot({ db: db.db, clock, publicUrl: 'https://koop.example.org', appSecret: 'k'.repeat(40), log });
    await say('katarzyna.wisniewska@example.org', 'problem', 'Brak sali na spotkanie w lutym');
    await dispatcher.drain();
  });
  afterAll(async () => {
    await email?.stop();
    await smtp?.close();
    await db?.close();
  });

  it('should send the reporter\'s comment to every RCPS person while nobody has taken the report, with their page link, once', async () => {
    const answer = await say('katarzyna.wisniewska@example.org', 'zgłoszenie', `${CODE} komentarz Sala 12 jest wolna tylko we wtorki.`);
    expect(answer.text).toBe(`Komentarz do zgłoszenia ${CODE} zapisany.`);
    // The same text again within ten minutes (a double send) is the comment already stored.
    await say('katarzyna.wisniewska@example.org', 'zgłoszenie', `${CODE} komentarz Sala 12 jest wolna tylko we wtorki.`);
    await dispatcher.drain();
    for (const address of ['jan.kowalski@example.org', 'elzbieta.pawlak@example.org']) {
      expect(subjectsTo(address).filter((s) => s === COMMENT_TITLE), address).toHaveLength(1);
    }
    const mail = smtp.mails.find((m) => m.subject === COMMENT_TITLE)!;
    expect(mail.text).toContain(`Nowy komentarz do zgłoszenia ${CODE} (Katarzyna Wiśniewska).`);
    expect(mail.text).toContain('Sala 12 jest wolna tylko we wtorki.');
    expect(String(mail.html)).toContain('href="https://koop.example.org/reports/');
    // Her own comment is not news to the reporter.
    expect(subjectsTo('katarzyna.wisniewska@example.org').filter((s) => s?.startsWith(`Zgłoszenie ${CODE}:`))).toEqual([]);
    const comments = await db.db.selectFrom('report_events').select('id').where('action', '=', 'commented').execute();
    expect(comments).toHaveLength(1);
  });

  it('should send a teammate\'s comment only to the RCPS person who acknowledged the report, and tell the reporter', async () => {
    clock.advance(60_000);
    await say('jan.kowalski@example.org', 'zgłoszenie', `${CODE} przyjmij`);
    await dispatcher.drain();
    clock.advance(60_000);
    // Anna coordinates the Łódź team: she sees the team's reports and may comment on them.
    const answer = await say('anna.nowak@example.org', 'zgłoszenie', `${CODE} komentarz Możemy użyć sali w MOPS.`);
    expect(answer.text).toBe(`Komentarz do zgłoszenia ${CODE} zapisany.`);
    await dispatcher.drain();
    expect(subjectsTo('jan.kowalski@example.org').filter((s) => s === COMMENT_TITLE)).toHaveLength(2);
    expect(subjectsTo('elzbieta.pawlak@example.org').filter((s) => s === COMMENT_TITLE)).toHaveLength(1);
    const toJan = smtp.mails.filter((m) => m.subject === COMMENT_TITLE && m.to && 'text' in m.to && m.to.text === 'jan.kowalski@example.org')[1]!;
    expect(toJan.text).toContain('Możemy użyć sali w MOPS.');
    expect(toJan.text).toContain('Anna Nowak');
    expect(subjectsTo('katarzyna.wisniewska@example.org').filter((s) => s?.startsWith(`Zgłoszenie ${CODE}:`))).toEqual([`Zgłoszenie ${CODE}: przyjęte`, `Zgłoszenie ${CODE}: przyjęte`]);
  });

  it('should not forward RCPS\'s own comments to RCPS, only to the reporter', async () => {
    clock.advance(60_000);
    const before = smtp.mails.filter((m) => m.subject === COMMENT_TITLE).length;
    await say('jan.kowalski@example.org', 'zgłoszenie', `${CODE} komentarz Rezerwuję salę w MOPS.`);
    await dispatcher.drain();
    expect(smtp.mails.filter((m) => m.subject === COMMENT_TITLE)).toHaveLength(before);
    expect(subjectsTo('katarzyna.wisniewska@example.org').filter((s) => s?.startsWith(`Zgłoszenie ${CODE}:`))).toHaveLength(3);
  });
});
