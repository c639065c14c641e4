import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { enqueue, type PlannedDelivery } from '../../src/delivery/outbox.js';
import { DEFAULT_PACING, platformPacing } from '../../src/delivery/platform-pacing.js';
import { createLogger } from '../../src/log.js';
import type { ChannelSender, SendResult } from '../../src/ports/channel.port.js';
import { dialects, freshDatabase } from '../support/databases.js';

const log = createLogger('silent');

/**
 * Hostile review of the claim prefetch and Retry-After (fc17d78, 03ceee1): the relay answers the
 * first send with a refusal for pace and `Retry-After: 3600` (the hour's cap). The pacer then
 * holds e-mail for the hour, and the rows of the batch under way are put back until then. But
 * the lane goes on claiming: a held lane has room for "at least one row" (claimSize), so it
 * claims one row, puts it back (a write), claims the next … until every due e-mail row has been
 * claimed and rewritten one by one: 60,000 queued mails are 60,000 claims and writes in a burst
 * (on PGlite, the thread that answers requests), for rows that could not have gone anyway.
 */
describe.each(dialects)('a Retry-After hold on e-mail on %s', (kind) => {
  let db: Db;
  const clock = new FixedClock('2027-01-04T08:00:00Z');
  let sends = 0;
  const platform: ChannelSender = {
    kind: 'email',
    send: async (): Promise<SendResult> => {
      sends++;
      return sends === 1 ? { ok: false, permanent: false, rateLimited: true, retryAfterMs: 3_600_000, reason: '421 try again in an hour' } : { ok: true };
    },
  };

  beforeEach(async () => {
    sends = 0;
    db = await freshDatabase(kind);
    const rows: PlannedDelivery[] = Array.from({ length: 120 }, (_, i) => ({
      key: `m-${i}`, kind: 'notice', place: { address: `p${i}@example.org`, language: 'pl' }, channels: ['email'],
      payload: { language: 'pl', title: `m${i}`, text: 'x' }, dueAt: new Date(clock.now().getTime() - 60_000 + i),
    }));
    await enqueue(db.db, rows);
  });
  afterEach(async () => {
    await db?.close();
  });

  it('should claim no more rows once the platform holds the lane: the rows queued behind the first batch stay as they were', async () => {
    // 10 a second with a burst of 20: a batch is 30 rows (the burst and a second's worth).
    const pacing = { ...DEFAULT_PACING, email: { perSecond: 10, burst: 20 } };
    const dispatcher = new Dispatcher({
      db: db.db, clock, log, workerId: 'w', batchSize: 100, senders: new Map([['email', platform]]), maxPaceWaitMs: 1000,
      pacing: (channel, address) => platformPacing(channel, address, pacing),
      sleep: async () => undefined,
      ...(db.openSession ? { openSession: () => db.openSession!() } : {}),
    });
    const report = await dispatcher.drain();
    await dispatcher.stop();
    const untouched = await db.db.selectFrom('deliveries').select('id').where('next_attempt_at', '<=', clock.now()).execute();
    // Some of the first batch were sent before the refusal came back; the rest are held. The
    // 90 rows past the first batch were never claimable during the hold.
    expect(report.deferred).toBeLessThanOrEqual(30);
    expect(untouched.length).toBeGreaterThanOrEqual(90);
  });
});
