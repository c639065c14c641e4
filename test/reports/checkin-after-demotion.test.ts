import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmailAdapter } from '../../adapters/email/index.js';
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
const demo = readFileSync('calendars/demo.yaml', 'utf8');
// Anna Nowak, Łódź's coordinator, becomes an ordinary member; Łódź gets a coordinator no longer.
const demoted = demo.replace('email: anna.nowak@example.org\n        institution: Miejski Ośrodek Pomocy Społecznej w Łodzi\n        role: coordinator', 'email: anna.nowak@example.org\n        institution: Miejski Ośrodek Pomocy Społecznej w Łodzi\n        role: member');

/** A check-in asks a coordinator, with their own form link: one who is no longer coordinator is not asked. */
describe.each(dialects)('a check-in after its coordinator was demoted, on %s', (kind) => {
  let db: Db;
  let smtp: FakeSmtp;
  let email: ReturnType<typeof createEmailAdapter>;
  const clock = new FixedClock('2026-12-20T12:00:00Z');
  const mailsTo = (address: string) => smtp.mails.filter((m) => m.to && 'text' in m.to && m.to.text === address);

  beforeAll(async () => {
    expect(demoted).not.toBe(demo);
    db = await freshDatabase(kind);
    await importYaml(db.db, clock, { 'demo.yaml': demo });
    smtp = await startSmtp();
    email = emailAdapterFor(smtp);
  });
  afterAll(async () => {
    await email?.stop();
    await smtp?.close();
    await db?.close();
  });

  it('should not ask the former coordinator, however the role was taken away', async () => {
    expect(await planCheckins(db.db, { clock, horizonDays: 10 })).toBe(2);
    await importYaml(db.db, clock, { 'demo.yaml': demoted });
    const dispatcher = new Dispatcher({ db: db.db, senders: new Map([['email', email.sender]]), clock, log, workerId: 'w', render: deliveryRenderer(db.db, 'https://koop.example.org', 'c'.repeat(40)) });
    for (const at of ['2026-12-23T08:00:00Z', '2026-12-29T08:00:00Z']) {
      clock.set(at);
      await dispatcher.drain();
    }
    expect(mailsTo('anna.nowak@example.org').map((m) => m.subject)).toEqual([]);
    const left = await db.db.selectFrom('deliveries').select('state').where('kind', '=', 'checkin').where('state', 'in', ['pending', 'sending']).execute();
    expect(left).toEqual([]);
  });
});
