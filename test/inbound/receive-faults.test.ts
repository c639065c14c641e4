import type { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Bot } from '../../src/bot/bot.js';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import type { Database } from '../../src/db/tables.js';
import { createLogger } from '../../src/log.js';
import type { InboundMailSink } from '../../src/ports/inbound-mail.port.js';
import { faultyDatabase, faultyDemoDatabase, type DatabaseFaults } from '../support/faults.js';
import { dialects } from '../support/databases.js';
import { everyone, importFixture } from '../invitations/support.js';
import { planInvitations } from '../../src/invitations/plan-invitations.js';
import { outboxGaps } from '../outbox/outbox-gaps.js';
import { plainMail } from './mails.js';
import { addressOf, rsvpOf, sinkFor, smtpEnvelope, START, WORKSHOP } from './world.js';

/**
 * A crash anywhere in a mail's processing: each write of the transaction (the commit included)
 * is failed in turn. The failed receive throws (the transport keeps the mail), leaves nothing
 * (no record, no answer, no message), and the mail offered again is recorded exactly once.
 */
async function failEachWrite(faults: DatabaseFaults, sink: InboundMailSink, db: Kysely<Database>, mail: (n: number) => Promise<{ raw: Buffer; settled: () => Promise<void> }>) {
  const first = await mail(0);
  const count = (await faults.writesOf(() => sink.receive(first.raw, smtpEnvelope()))).length;
  await first.settled();
  expect(count).toBeGreaterThan(2);
  for (let n = 1; n <= count; n++) {
    const { raw, settled } = await mail(n);
    const before = await snapshot(db);
    faults.failNth(n, { writesOnly: true });
    await expect(sink.receive(raw, smtpEnvelope()), `write ${n} of ${count}`).rejects.toThrow(/injected database fault/);
    faults.clearRules();
    expect(await snapshot(db), `after failing write ${n} of ${count}`).toEqual(before);
    expect(await sink.receive(raw, smtpEnvelope())).toMatchObject({ status: 'recorded' });
    expect(await sink.receive(raw, { transport: 'imap', rcptTo: [] })).toEqual({ status: 'duplicate' });
    await settled();
    expect(await outboxGaps(db)).toEqual([]);
  }
  return count;
}

async function snapshot(db: Kysely<Database>) {
  const count = async (table: 'inbound_mails' | 'rsvps' | 'deliveries' | 'report_events') => Number((await db.selectFrom(table).select(db.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  return { mails: await count('inbound_mails'), rsvps: await count('rsvps'), deliveries: await count('deliveries'), events: await count('report_events') };
}

describe.each(dialects)('a crash mid-processing neither loses nor doubles an answer, on %s', (kind) => {
  let db: Db;
  let faults: DatabaseFaults;
  const clock = new FixedClock(START);
  afterEach(async () => db?.close());

  describe('an invitation answered by e-mail', () => {
    beforeEach(async () => {
      clock.set(START);
      ({ db, faults } = await faultyDatabase(kind));
      await importFixture(db.db, clock);
      await planInvitations(db.db, clock);
      faults.clear();
    });

    it('should record each answer and its one confirmation once, whichever write failed', async () => {
      const sink = sinkFor(db.db, clock);
      const count = await failEachWrite(faults, sink, db.db, async (n) => {
        const email = everyone[n]!;
        const raw = plainMail({ from: email, to: await addressOf(db.db, email, `invite:${WORKSHOP}:`), body: 'Tak, będę.' });
        return {
          raw,
          settled: async () => {
            expect(await rsvpOf(db.db, email)).toBe('accepted');
            const rows = await db.db.selectFrom('deliveries').innerJoin('people', 'people.id', 'deliveries.person_id').select('deliveries.kind').where('people.email', '=', email).where('deliveries.dedupe_key', 'like', 'inbound:%').execute();
            expect(rows).toEqual([{ kind: 'inbound_confirmation' }]);
          },
        };
      });
      console.info(`${kind}: ${count} writes of an e-mail answer, each failed in turn`);
    });
  });

  describe('a reply to a problem report\'s e-mail', () => {
    beforeEach(async () => {
      clock.set('2027-01-04T08:00:00Z');
      ({ db, faults } = await faultyDemoDatabase(kind, clock));
      const bot = new Bot({ db: db.db, clock, publicUrl: 'https://koop.example.org', appSecret: 'k'.repeat(40), log: createLogger('silent') });
      const say = (email: string, command: string, text: string) => bot.handle({ type: 'command', from: { channel: 'console', email }, command, text });
      await say('katarzyna.wisniewska@example.org', 'problem', 'Brak sali na spotkanie w lutym');
      await say('jan.kowalski@example.org', 'zgłoszenie', 'LDZ-2027-001 przyjmij Sprawdzamy.');
      faults.clear();
    });

    it('should store each comment, its forward to RCPS and the confirmation once, whichever write failed', async () => {
      const sink = sinkFor(db.db, clock);
      const reporter = 'katarzyna.wisniewska@example.org';
      const address = await addressOf(db.db, reporter, 'report:LDZ-2027-001:event:');
      const count = await failEachWrite(faults, sink, db.db, async (n) => {
        const text = `Sala 12 jest wolna we wtorki (${n}).`;
        return {
          raw: plainMail({ from: reporter, to: address, subject: 'Re: LDZ-2027-001', body: `${text}\n\nW dniu 4.01.2027 o 09:00 Kooperator napisał:\n> przyjęte` }),
          settled: async () => {
            const events = await db.db.selectFrom('report_events').select('comment').where('action', '=', 'commented').where('comment', '=', text).execute();
            expect(events).toHaveLength(1);
          },
        };
      });
      console.info(`${kind}: ${count} writes of a report comment by e-mail, each failed in turn`);
    });
  });
});
