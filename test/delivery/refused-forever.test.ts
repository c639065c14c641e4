import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { enqueue } from '../../src/delivery/outbox.js';
import { createLogger } from '../../src/log.js';
import type { ChannelSender, SendResult } from '../../src/ports/channel.port.js';
import { toSendResult } from '../../adapters/email/send-result.js';
import { demoDatabase, dialects } from '../support/databases.js';

const clock = new FixedClock('2027-01-04T08:00:00Z');

/** A relay that answers every try with a 421 (as a relay that has blocked the sender does, for days). */
function refusingRelay(): ChannelSender & { tries: number } {
  const sender = {
    kind: 'email' as const,
    tries: 0,
    async send(): Promise<SendResult> {
      sender.tries++;
      return toSendResult({ code: 'EENVELOPE', responseCode: 421, response: '421 4.7.0 mx.example.org Service not available, closing transmission channel' });
    },
  };
  return sender;
}

describe.each(dialects)('a delivery refused on every try on %s', (kind) => {
  let db: Db;
  beforeEach(async () => {
    clock.set('2027-01-04T08:00:00Z');
    db = await demoDatabase(kind, clock);
  });
  afterEach(async () => db?.close());

  it('should stop retrying a delivery (fail it or move to the next channel) that the relay refuses with 421 on every one of hundreds of tries', async () => {
    const anna = await db.db.selectFrom('people').select('id').where('email', '=', 'anna.nowak@example.org').executeTakeFirstOrThrow();
    await enqueue(db.db, [{ key: 'k', kind: 'notice', personId: anna.id, channels: ['email'], payload: { language: 'pl', title: 'T', text: 'x' }, dueAt: clock.now() }]);
    const relay = refusingRelay();
    const dispatcher = new Dispatcher({ db: db.db, clock, log: createLogger('silent'), workerId: 'w1', random: () => 0.5, senders: new Map([['email', relay]]) });
    // 100 tries, a minute apart: over an hour and a half of a relay refusing everything.
    for (let i = 0; i < 100; i++) {
      await dispatcher.drain();
      clock.advance(60_000);
    }
    const row = await db.db.selectFrom('deliveries').select(['state', 'attempts']).executeTakeFirstOrThrow();
    expect(relay.tries).toBeGreaterThan(8);
    expect(row.state).not.toBe('pending');
  });
});
