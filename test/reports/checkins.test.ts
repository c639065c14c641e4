import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmailAdapter } from '../../adapters/email/index.js';
import { Bot } from '../../src/bot/bot.js';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { deliveryRenderer } from '../../src/delivery/render-delivery.js';
import { createLogger } from '../../src/log.js';
import { planCheckins } from '../../src/reports/checkins.js';
import { emailAdapterFor, startSmtp, type FakeSmtp } from '../adapters/email/support.js';
import { dialects, freshDatabase } from '../support/databases.js';
import { importYaml } from '../support/schedule-builder.js';

const log = createLogger('silent');
const SECRET = 'c'.repeat(40);
// The demo schedule, with Łowicz asking for its status at 14:30 instead of 09:00.
const demo = readFileSync('calendars/demo.yaml', 'utf8').replace('      on_holiday: skip\n', '      on_holiday: skip\n      checkin_at: "14:30"\n');

describe.each(dialects)('Check-ins after meetings on %s', (kind) => {
  let db: Db;
  let smtp: FakeSmtp;
  let email: ReturnType<typeof createEmailAdapter>;
  let dispatcher: Dispatcher;
  const clock = new FixedClock('2026-12-20T12:00:00Z');
  const mailsTo = (address: string) => smtp.mails.filter((m) => m.to && 'text' in m.to && m.to.text === address);
  const checkinRows = () => db.db.selectFrom('deliveries').select(['dedupe_key', 'due_at', 'state', 'last_error']).where('kind', '=', 'checkin').orderBy('due_at').orderBy('dedupe_key').execute();

  beforeAll(async () => {
    db = await freshDatabase(kind);
    await importYaml(db.db, clock, { 'demo.yaml': demo });
    smtp = await startSmtp();
    email = emailAdapterFor(smtp);
    dispatcher = new Dispatcher({ db: db.db, senders: new Map([['email', email.sender]]), clock, log, workerId: 'w', render: deliveryRenderer(db.db, 'https://koop.example.org', SECRET) });
  });
  afterAll(async () => {
    await email?.stop();
    await smtp?.close();
    await db?.close();
  });

  it('should plan, for coordinators only, the question on the next working day and one nudge two working days later, across Christmas', async () => {
    expect(await planCheckins(db.db, { clock, horizonDays: 10 })).toBe(2);
    expect(await planCheckins(db.db, { clock, horizonDays: 10 })).toBe(0);
    const rows = await checkinRows();
    const anna = (await db.db.selectFrom('people').select('id').where('email', '=', 'anna.nowak@example.org').executeTakeFirstOrThrow()).id;
    // Łódź meets on Tuesday 22 December; Łowicz's 17 December is before the window and its next is in January.
    expect(rows.map((r) => [r.dedupe_key, r.due_at.toISOString()])).toEqual([
      [`checkin:lodz:2026-12-22:ask:${anna}`, '2026-12-23T08:00:00.000Z'],
      // 24–27 December are holidays and a weekend: two working days after the 23rd is the 29th.
      [`checkin:lodz:2026-12-22:nudge:${anna}`, '2026-12-29T08:00:00.000Z'],
    ]);
  });

  it('should ask the coordinator with a button and a form link, then nudge once after two working days, then say nothing more', async () => {
    clock.set('2026-12-23T08:00:00Z');
    await dispatcher.drain();
    const [ask, ...more] = mailsTo('anna.nowak@example.org');
    expect(more).toEqual([]);
    expect(ask!.subject).toBe('Jak poszło spotkanie PZK Łódź – demo?');
    expect(ask!.text).toContain('po spotkaniu z wtorku, 22 grudnia 2026, 10:00');
    expect(String(ask!.html)).toContain('href="https://koop.example.org/forms/');
    clock.set('2026-12-28T08:00:00Z');
    await dispatcher.drain();
    expect(mailsTo('anna.nowak@example.org')).toHaveLength(1);
    clock.set('2026-12-29T08:00:00Z');
    await dispatcher.drain();
    const nudge = mailsTo('anna.nowak@example.org')[1]!;
    expect(nudge.subject).toBe('Przypomnienie: status po spotkaniu PZK Łódź – demo');
    expect(nudge.text).toContain('To jedyne przypomnienie');
    clock.set('2027-01-08T08:00:00Z');
    await dispatcher.drain();
    expect(mailsTo('anna.nowak@example.org')).toHaveLength(2);
  });

  it('should drop the nudge when the team sent a status after the question', async () => {
    clock.set('2027-01-10T12:00:00Z');
    await planCheckins(db.db, { clock, horizonDays: 3 });
    clock.set('2027-01-13T08:00:00Z');
    await dispatcher.drain();
    expect(mailsTo('anna.nowak@example.org').at(-1)!.subject).toBe('Jak poszło spotkanie PZK Łódź – demo?');
    clock.set('2027-01-13T09:00:00Z');
    const bot = new Bot({ db: db.db, clock, publicUrl: 'https://koop.example.org', appSecret: SECRET, log });
    const form = await bot.handle({ type: 'action', from: { channel: 'console', email: 'anna.nowak@example.org' }, actionId: 'checkin:answer', value: 'lodz' });
    expect(form.form?.id).toBe('status');
    await bot.handle({ type: 'form', from: { channel: 'console', email: 'anna.nowak@example.org' }, formId: 'status', values: { done: 'Omówiliśmy plan na styczeń' } });
    clock.set('2027-01-15T08:00:00Z');
    await dispatcher.drain();
    expect(mailsTo('anna.nowak@example.org')).toHaveLength(3);
    const nudge = (await checkinRows()).find((r) => r.dedupe_key.startsWith('checkin:lodz:2027-01-12:nudge'))!;
    expect(nudge.state).toBe('cancelled');
  });

  it('should ask at the team\'s own check-in time, in Polish time', async () => {
    clock.set('2027-01-05T12:00:00Z');
    // The clock goes back here (the tests share one database): the planning marks of 10 January
    // would rightly say this window was planned already, which is not what this test is about.
    await db.db.deleteFrom('planning_marks').execute();
    await planCheckins(db.db, { clock, horizonDays: 3 });
    const lowicz = (await checkinRows()).filter((r) => r.dedupe_key.startsWith('checkin:lowicz:2027-01-07'));
    // Thursday 7 January → Friday 8th at 14:30 Warsaw; nudge two working days later, Tuesday 12th.
    expect(lowicz.map((r) => r.due_at.toISOString())).toEqual(['2027-01-08T13:30:00.000Z', '2027-01-12T13:30:00.000Z']);
  });
});
