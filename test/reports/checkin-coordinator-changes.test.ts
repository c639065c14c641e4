import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEmailAdapter } from '../../adapters/email/index.js';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { deliveryRenderer } from '../../src/delivery/render-delivery.js';
import { createLogger } from '../../src/log.js';
import { processScheduleChanges } from '../../src/reminders/change-notices.js';
import { planCheckins } from '../../src/reports/checkins.js';
import { emailAdapterFor, startSmtp, type FakeSmtp } from '../adapters/email/support.js';
import { dialects, freshDatabase } from '../support/databases.js';
import { importYaml } from '../support/schedule-builder.js';

const log = createLogger('silent');
const demo = readFileSync('calendars/demo.yaml', 'utf8');
const anna = 'email: anna.nowak@example.org\n        institution: Miejski Ośrodek Pomocy Społecznej w Łodzi\n        role: ';
const katarzyna = 'email: katarzyna.wisniewska@example.org\n        institution: Sąd Rejonowy dla Łodzi-Śródmieścia w Łodzi\n        role: ';
// Anna Nowak, Łódź's coordinator, becomes an ordinary member; Łódź gets a coordinator no longer.
const demoted = demo.replace(`${anna}coordinator`, `${anna}member`);
// The coordinator of Łódź hands over: Anna Nowak becomes a member, Katarzyna Wiśniewska the coordinator.
const handedOver = demoted.replace(`${katarzyna}member`, `${katarzyna}coordinator`);

/**
 * A check-in asks a team's coordinator, with their own form link: one who is no longer
 * coordinator is not asked, and one who became coordinator is asked even when the hand-over
 * came the day before the question (found by review: the import re-planned check-ins only for
 * teams whose meetings changed, and the daily planning skips a question whose time has passed).
 */
describe.each(dialects)('a check-in after the coordinator changed, on %s', (kind) => {
  let db: Db;
  let smtp: FakeSmtp;
  let email: ReturnType<typeof createEmailAdapter>;
  let clock: FixedClock;
  const mailsTo = (address: string) => smtp.mails.filter((m) => m.to && 'text' in m.to && m.to.text === address);
  const dispatcher = () => new Dispatcher({ db: db.db, senders: new Map([['email', email.sender]]), clock, log, workerId: 'w', render: deliveryRenderer(db.db, 'https://koop.example.org', 'c'.repeat(40)) });

  beforeEach(async () => {
    expect(demoted).not.toBe(demo);
    expect(handedOver.match(/role: coordinator/g)?.length).toBe(demo.match(/role: coordinator/g)?.length);
    clock = new FixedClock('2026-12-20T12:00:00Z');
    db = await freshDatabase(kind);
    await importYaml(db.db, clock, { 'demo.yaml': demo });
    smtp = await startSmtp();
    email = emailAdapterFor(smtp);
  });
  afterEach(async () => {
    await email?.stop();
    await smtp?.close();
    await db?.close();
  });

  it('should not ask the former coordinator, however the role was taken away', async () => {
    expect(await planCheckins(db.db, { clock, horizonDays: 10 })).toBe(2);
    await importYaml(db.db, clock, { 'demo.yaml': demoted });
    const sender = dispatcher();
    for (const at of ['2026-12-23T08:00:00Z', '2026-12-29T08:00:00Z']) {
      clock.set(at);
      await sender.drain();
    }
    expect(mailsTo('anna.nowak@example.org').map((m) => m.subject)).toEqual([]);
    const left = await db.db.selectFrom('deliveries').select('state').where('kind', '=', 'checkin').where('state', 'in', ['pending']).execute();
    expect(left).toEqual([]);
  });

  it('should ask the new coordinator about the meeting of 22 December', async () => {
    // The service's daily planning (it started at 12:00 UTC, so it plans at 12:00 each day).
    expect(await planCheckins(db.db, { clock, horizonDays: 10 })).toBe(2);
    // 22 December, after the meeting: the file hands the role over; the service reacts to the import.
    clock.set('2026-12-22T15:00:00Z');
    await importYaml(db.db, clock, { 'demo.yaml': handedOver });
    await processScheduleChanges(db.db, clock);
    const sender = dispatcher();
    const days = ['2026-12-23T08:00:00Z', '2026-12-23T12:00:00Z', '2026-12-24T12:00:00Z', '2026-12-28T12:00:00Z', '2026-12-29T08:00:00Z', '2026-12-29T12:00:00Z'];
    for (const at of days) {
      clock.set(at);
      if (at.endsWith('T12:00:00Z')) await planCheckins(db.db, { clock, horizonDays: 10 });
      await sender.drain();
    }
    expect(mailsTo('anna.nowak@example.org')).toEqual([]);
    expect(mailsTo('katarzyna.wisniewska@example.org').length, 'check-in mails to the new coordinator').toBeGreaterThan(0);
  });
});
