import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { Registry } from 'prom-client';
import { createEmailAdapter } from '../../adapters/email/index.js';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { DeliveryService } from '../../src/delivery/delivery-service.js';
import { createLogger } from '../../src/log.js';
import { emailAdapterFor, startSmtp, type FakeSmtp } from '../adapters/email/support.js';
import { dialects, demoDatabase } from '../support/databases.js';

const log = createLogger('silent');
const SECRET = 'd'.repeat(40);

/** Waits (briefly, polling) until the service's own dispatcher has handed a mail to the SMTP server. */
async function mailArrives(smtp: FakeSmtp, match: (subject: string) => boolean) {
  for (let i = 0; i < 150; i++) {
    const mail = smtp.mails.find((m) => match(m.subject ?? ''));
    if (mail) return mail;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no such mail arrived; there are: ${smtp.mails.map((m) => m.subject).join(' | ')}`);
}

describe.each(dialects)('Check-ins and the RCPS digest planned when the delivery service starts, on %s', (kind) => {
  let db: Db;
  let smtp: FakeSmtp;
  let email: ReturnType<typeof createEmailAdapter>;
  let service: DeliveryService | undefined;
  // Wednesday 6 January 2027 (a holiday), 12:00 in Warsaw.
  const clock = new FixedClock('2027-01-06T11:00:00Z');
  const rows = (what: 'checkin' | 'digest') =>
    db.db.selectFrom('deliveries').select(['dedupe_key', 'due_at', 'state']).where('kind', '=', what).orderBy('due_at').orderBy('dedupe_key').execute();
  const start = async () => {
    service = new DeliveryService({
      db: db.db,
      clock,
      log,
      senders: new Map([['email', email.sender]]),
      publicUrl: 'https://koop.example.org',
      appSecret: SECRET,
      registry: new Registry(),
      workerId: 'start-test',
      horizonDays: 14,
    });
    await service.start();
  };

  beforeAll(async () => {
    db = await demoDatabase(kind, clock);
    smtp = await startSmtp();
    email = emailAdapterFor(smtp);
  });
  afterAll(async () => {
    await service?.stop();
    await email?.stop();
    await smtp?.close();
    await db?.close();
  });

  it('should plan the coordinators\' check-ins after the meetings ahead and the digests of the coming Mondays on start', async () => {
    await start();
    const anna = (await db.db.selectFrom('people').select('id').where('email', '=', 'anna.nowak@example.org').executeTakeFirstOrThrow()).id;
    const checkins = await rows('checkin');
    // Łódź meets on Tuesday 12 January at 10:00: asked on Wednesday the 13th at 09:00, nudged on Friday the 15th.
    expect(checkins.filter((r) => r.dedupe_key.startsWith('checkin:lodz:')).map((r) => [r.dedupe_key, r.due_at.toISOString()])).toEqual([
      [`checkin:lodz:2027-01-12:ask:${anna}`, '2027-01-13T08:00:00.000Z'],
      [`checkin:lodz:2027-01-12:nudge:${anna}`, '2027-01-15T08:00:00.000Z'],
    ]);
    const digests = await rows('digest');
    expect([...new Set(digests.map((r) => r.due_at.toISOString()))]).toEqual(['2027-01-11T07:00:00.000Z', '2027-01-18T07:00:00.000Z']);
    expect(digests).toHaveLength(4);
  });

  it('should plan nothing twice when the service starts again', async () => {
    const before = [...(await rows('checkin')), ...(await rows('digest'))].length;
    await service!.stop();
    await start();
    expect([...(await rows('checkin')), ...(await rows('digest'))]).toHaveLength(before);
  });

  it('should give the pending reminders planned before earliest_at existed theirs when the service starts again', async () => {
    const withEarliest = () =>
      sql<{ kind: string; n: number }>`
        select case when kind = 'reminder' and payload->>'type' = 'reminder' then 'reminder' else 'other' end as kind, count(*)::int as n
        from deliveries where state = 'pending' and earliest_at is not null group by 1 order by 1`.execute(db.db);
    const planned = (await withEarliest()).rows;
    expect(planned.map((r) => r.kind)).toEqual(['reminder']);
    await service!.stop();
    await sql`update deliveries set earliest_at = null`.execute(db.db);
    await start();
    expect((await withEarliest()).rows).toEqual(planned);
  });

  it('should send the digest and the check-in through the running service when their time comes', async () => {
    clock.set('2027-01-11T07:00:00Z');
    service!.loop.poke();
    const digest = await mailArrives(smtp, (s) => s.startsWith('Podsumowanie tygodnia zespołów PZK'));
    expect(digest.subject).toBe('Podsumowanie tygodnia zespołów PZK (od 4 stycznia 2027)');
    expect(digest.text).toContain('PZK Łódź – demo');
    clock.set('2027-01-13T08:00:00Z');
    service!.loop.poke();
    const ask = await mailArrives(smtp, (s) => s === 'Jak poszło spotkanie PZK Łódź – demo?');
    expect(String(ask.html)).toContain('href="https://koop.example.org/forms/');
  });
});
