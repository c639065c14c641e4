import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { enqueue } from '../../src/delivery/outbox.js';
import { createLogger } from '../../src/log.js';
import type { ChannelSender, SendResult } from '../../src/ports/channel.port.js';
import { demoDatabase, dialects } from '../support/databases.js';

const clock = new FixedClock('2027-01-04T08:00:00Z');

describe.each(dialects)('the wait after a refusal for pace on %s', (kind) => {
  let db: Db;
  beforeEach(async () => {
    clock.set('2027-01-04T08:00:00Z');
    db = await demoDatabase(kind, clock);
  });
  afterEach(async () => db?.close());

  it('should try a refused send again no sooner than the platform\'s Retry-After counted from the refusal, however long the send took', async () => {
    const anna = await db.db.selectFrom('people').select('id').where('email', '=', 'anna.nowak@example.org').executeTakeFirstOrThrow();
    await enqueue(db.db, [{ key: 'k', kind: 'notice', personId: anna.id, channels: ['email'], payload: { language: 'pl', title: 'T', text: 'x' }, dueAt: clock.now() }]);
    let refusedAt = 0;
    const tries: number[] = [];
    // A relay slow to answer (8 s: a busy one, or the connection pool waiting) that refuses the first try for pace, naming a wait of 3 s.
    const relay: ChannelSender = {
      kind: 'email',
      async send(): Promise<SendResult> {
        tries.push(clock.now().getTime());
        clock.advance(8_000);
        if (tries.length > 1) return { ok: true };
        refusedAt = clock.now().getTime();
        return { ok: false, permanent: false, rateLimited: true, retryAfterMs: 3_000, reason: '451 4.7.1 Rate limit exceeded' };
      },
    };
    const dispatcher = new Dispatcher({ db: db.db, clock, log: createLogger('silent'), workerId: 'w1', random: () => 0, senders: new Map([['email', relay]]) });
    await dispatcher.drain();
    // The drain goes on while rows are due: the second try comes only if it was due at once.
    expect(tries).toHaveLength(1);
    const row = await db.db.selectFrom('deliveries').select(['state', 'next_attempt_at']).executeTakeFirstOrThrow();
    expect(row.state).toBe('pending');
    expect(new Date(row.next_attempt_at).getTime()).toBeGreaterThanOrEqual(refusedAt + 3_000);
  });
});
