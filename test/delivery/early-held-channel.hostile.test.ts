import { describe, expect, it } from 'vitest';
import { enqueue } from '../../src/delivery/outbox.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { platformPacing } from '../../src/delivery/platform-pacing.js';
import type { ChannelSender, SendResult } from '../../src/ports/channel.port.js';
import { dialects } from '../support/databases.js';
import { VirtualTime } from '../support/virtual-time.js';
import { earlySuite, log, lump } from './early-fixture.js';

/**
 * Hostile review: one Slack channel held for a Retry-After (a 429 for that channel) while a lump
 * is sent ahead. A row of that channel claimed early is put back keeping its due time (it stays
 * in its early window): is it then claimed and put back again at every turn until the hold ends?
 */
describe.each(dialects)('a channel held during a lump sent ahead on %s', (kind) => {
  const due = new Date('2027-01-04T08:01:00Z');
  const suite = earlySuite(kind, {
    start: '2027-01-04T08:00:30Z',
    fill: async (db) => {
      const rows = lump(100, due).map((r, i) => ({ ...r, channels: ['slack' as const], place: { address: `C${i}`, language: 'pl' as const } }));
      // A second row to channel C0, due with the lump, claimed some seconds after C0's refusal.
      rows.splice(30, 0, { ...rows[0]!, key: 'r-again', payload: { language: 'pl', title: 'again', text: 'x' } });
      await enqueue(db.db, rows);
    },
  });
  const { clock } = suite;

  // Failed before its fix (13 put-backs on PGlite, 5 on PostgreSQL, each a claim and a write): the
  // row of C0 claimed early was put back keeping its due time (dispatcher.ts pacedSend: its
  // place in the queue), so it stayed in its early window (claims.ts dueCondition: earliest_at <=
  // now, next_attempt_at = due_at) and was claimed and put back again at every claim of the lane
  // until C0's hold was over. The platform-wide hold avoids it (claimSize 0), a channel's or a
  // Teams conversation's hold (SendResult addressOnly) did not. Now a put-back early row keeps
  // its next_attempt_at and its earliest_at moves to its turn (dispatcher.ts putBack): here it is
  // put back once for the hold and once more behind C0's retried row (the channel's halved pace).
  it('should put the held channel’s early row back once, not at every turn', async () => {
    const time = new VirtualTime(clock);
    const sent: string[] = [];
    let c0 = 0;
    const sender: ChannelSender = {
      kind: 'slack',
      async send(address, message): Promise<SendResult> {
        if (address === 'C0' && ++c0 === 1) return { ok: false, permanent: false, rateLimited: true, refusal: '429', retryAfterMs: 15_000, reason: 'ratelimited' };
        sent.push(message.title);
        return { ok: true };
      },
    };
    const d = new Dispatcher({
      db: suite.db.db, clock, log, workerId: 'w', senders: new Map([['slack', sender]]), pacing: platformPacing, maxPaceWaitMs: 1000,
      earlySendMaxMs: 600_000, sleep: time.sleep, random: () => 0,
    });
    let deferred = 0;
    const until = due.getTime() + 30_000;
    while ((await suite.pending()) > 0 && clock.now().getTime() < until) {
      const report = await time.run(d.drainLane('slack'));
      deferred += report.deferred;
      clock.advance(100);
    }
    await d.stop({ deadlineMs: 200 });
    expect(sent).toHaveLength(101);
    expect(deferred).toBeLessThanOrEqual(3);
  });
});
