import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { enqueue, type PlannedDelivery } from '../../src/delivery/outbox.js';
import { platformPacing } from '../../src/delivery/platform-pacing.js';
import { createLogger } from '../../src/log.js';
import type { ChannelSender, SendResult } from '../../src/ports/channel.port.js';
import { dialects, freshDatabase } from '../support/databases.js';
import { sinkSender, startSink } from './http-sink.js';
import { VirtualTime } from '../support/virtual-time.js';

const log = createLogger('silent');

/**
 * A reminder sent ahead of its lump and answered "later" (HTTP 429 or 503 with Retry-After) was
 * tried: it waits its next_attempt_at like any retried row, though a refusal that names its wait
 * uses no attempt (attempts stays 0, backoff.ts usesAnAttempt). The lead must not claim it again
 * before then (docs/delivery-engine.md, "Claims": "a retried row waits its backoff").
 */
describe.each(dialects)('a reminder refused during a lump sent ahead on %s', (kind) => {
  let db: Db;
  let sink: Awaited<ReturnType<typeof startSink>>;
  const clock = new FixedClock('2027-01-04T08:00:50Z');
  const due = new Date('2027-01-04T08:01:00Z');

  beforeAll(async () => (sink = await startSink()));
  afterAll(async () => sink?.close());
  beforeEach(async () => {
    clock.set('2027-01-04T08:00:50Z');
    sink.received.length = 0;
    sink.script.length = 0;
    db = await freshDatabase(kind);
    const rows: PlannedDelivery[] = Array.from({ length: 200 }, (_, i) => ({
      key: `r-${String(i).padStart(3, '0')}`, kind: 'reminder', place: { address: `p${i}@example.org`, language: 'pl' }, channels: ['email'],
      payload: { language: 'pl', title: `r${i}`, text: 'x' }, dueAt: due, expiresAt: new Date(due.getTime() + 3600_000),
    }));
    await enqueue(db.db, rows);
    await sql`update deliveries set earliest_at = ${new Date(due.getTime() - 360_000)}`.execute(db.db);
  });
  afterEach(async () => db?.close());

  it('should not send it again before the wait it was told, while the lead covers its next_attempt_at', async () => {
    const time = new VirtualTime(clock);
    const inner = sinkSender('email', sink.url);
    /** Each request of r0: when it left (clock ms) and what the platform said. */
    const tries: { at: number; result: SendResult }[] = [];
    const sender: ChannelSender = {
      kind: 'email',
      async send(address, message) {
        const at = clock.now().getTime();
        const result = await inner.send(address, message);
        if (message.title === 'r0') tries.push({ at, result });
        return result;
      },
    };
    // The lump's first request (r0, first in the queue) is refused: 429, Retry-After 2 s.
    sink.script.push(429);
    const d = new Dispatcher({
      db: db.db, clock, log, workerId: 'w', senders: new Map([['email', sender]]), pacing: platformPacing, maxPaceWaitMs: 1000,
      earlySendMaxMs: 600_000, sleep: time.sleep, random: () => 0,
    });
    while (clock.now() < new Date(due.getTime() + 10_000)) {
      await time.run(d.drainLane('email'));
      clock.advance(100);
    }
    await d.stop({ deadlineMs: 200 });
    expect(tries[0]?.result.ok).toBe(false);
    const refusedAt = tries[0]!.at;
    // Sent once more, and not before the 2 s it was told to wait.
    expect(tries.filter((t) => t.result.ok)).toHaveLength(1);
    expect(tries[1]!.at).toBeGreaterThanOrEqual(refusedAt + 2000);
  });
});
