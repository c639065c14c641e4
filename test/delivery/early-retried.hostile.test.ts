import { describe, expect, it } from 'vitest';
import type { ChannelSender, SendResult } from '../../src/ports/channel.port.js';
import { dialects } from '../support/databases.js';
import { VirtualTime } from '../support/virtual-time.js';
import { drainEvery100ms, earlySuite, enqueueLump } from './early-fixture.js';

/**
 * A reminder sent ahead of its lump and answered "later" (HTTP 429 or 503 with Retry-After) was
 * tried: it waits its next_attempt_at like any retried row, though a refusal that names its wait
 * uses no attempt (attempts stays 0, backoff.ts usesAnAttempt). The lead must not claim it again
 * before then (docs/delivery-engine.md, "Claims": "a retried row waits its backoff").
 */
describe.each(dialects)('a reminder refused during a lump sent ahead on %s', (kind) => {
  const due = new Date('2027-01-04T08:01:00Z');
  const suite = earlySuite(kind, { start: '2027-01-04T08:00:50Z', fill: (db) => enqueueLump(db, 200, due) });
  const { clock } = suite;

  it('should not send it again before the wait it was told, while the lead covers its next_attempt_at', async () => {
    const time = new VirtualTime(clock);
    const inner = suite.sinkSender();
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
    suite.sink.script.push(429);
    const d = suite.dispatcher({ sender, time, random: () => 0 });
    await drainEvery100ms(d, time, new Date(due.getTime() + 10_000));
    await d.stop({ deadlineMs: 200 });
    expect(tries[0]?.result.ok).toBe(false);
    const refusedAt = tries[0]!.at;
    // Sent once more, and not before the 2 s it was told to wait.
    expect(tries.filter((t) => t.result.ok)).toHaveLength(1);
    expect(tries[1]!.at).toBeGreaterThanOrEqual(refusedAt + 2000);
  });
});
