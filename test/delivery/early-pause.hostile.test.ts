import { describe, expect, it } from 'vitest';
import { nextDueAt } from '../../src/delivery/outbox.js';
import type { ChannelSender } from '../../src/ports/channel.port.js';
import { dialects } from '../support/databases.js';
import { VirtualTime } from '../support/virtual-time.js';
import { earlySuite, enqueueLump } from './early-fixture.js';

/**
 * A platform's Retry-After in the middle of a lump sent ahead (docs/delivery-engine.md, "Sending
 * ahead of a lump of reminders", "Claims"): rows claimed early and put back keep their due time,
 * so they stay free to go early. While the pause holds they must not be claimed and put back
 * at every claim (a write each), nor sent, nor lose their standing (attempts, due time); once it
 * ends the lane sends ahead again at once, rather than waiting for the lump's due time.
 */
describe.each(dialects)('a Retry-After pause during a lump sent ahead on %s', (kind) => {
  const due = new Date('2027-01-04T08:01:30Z');
  const pauseMs = 5000;
  const suite = earlySuite(kind, { start: '2027-01-04T08:00:40Z', fill: (db) => enqueueLump(db, 200, due) });
  const { clock } = suite;

  it('should neither churn nor send the early rows while paused, and send ahead again as soon as the pause ends', async () => {
    const time = new VirtualTime(clock);
    // At 5 a second the lump of 200 begins about 41 s ahead, so the pause ends long before its due time.
    const inner = suite.sinkSender();
    const sent: { at: number; title: string }[] = [];
    let requests = 0;
    let refusedAt: number | undefined;
    // The 40th request (the lump is going out ahead by then) is refused: 429, Retry-After 5 s.
    const sender: ChannelSender = {
      kind: 'email',
      async send(address, message) {
        const at = clock.now().getTime();
        if (++requests === 40) {
          refusedAt = at;
          return { ok: false, permanent: false, rateLimited: true, refusal: '429', reason: 'rate limited', retryAfterMs: pauseMs };
        }
        const result = await inner.send(address, message);
        if (result.ok) sent.push({ at, title: message.title });
        return result;
      },
    };
    const d = suite.dispatcher({ sender, perSecond: 5, time, random: () => 0, sessions: true });
    let claimsInPause = 0;
    let putBackInPause = 0;
    let wakeInPause: Date | undefined;
    const claim = d.claims.claim.bind(d.claims);
    d.claims.claim = async (c) => {
      const claimed = await claim(c);
      const at = c.now.getTime();
      if (refusedAt !== undefined && at > refusedAt && at < refusedAt + pauseMs && claimed.rows.length > 0) claimsInPause++;
      return claimed;
    };
    while ((sent.length < 200 || refusedAt === undefined) && clock.now() < new Date(due.getTime() + 60_000)) {
      const report = await time.run(d.drainLane('email'));
      const now = clock.now().getTime();
      if (refusedAt !== undefined && now < refusedAt + pauseMs) {
        putBackInPause += report.deferred;
        // Where the loop would arm the lane now (delivery-loop.ts arm): no later than the pause's end.
        const next = await nextDueAt(suite.db.db, 'email');
        if (next) wakeInPause = await d.early.wakeAt('email', next);
      }
      clock.advance(100);
    }
    await d.stop({ deadlineMs: 200 });
    expect(refusedAt).toBeDefined();
    const end = refusedAt! + pauseMs;
    // The refusal came while the lump went out ahead, with the pause ending well before its due time.
    expect(end).toBeLessThan(due.getTime() - 15_000);
    // Every row sent once, none while paused.
    expect(sent).toHaveLength(200);
    expect(new Set(sent.map((s) => s.title)).size).toBe(200);
    expect(sent.filter((s) => s.at > refusedAt! && s.at < end)).toHaveLength(0);
    // No churn: at most one claim (10 rows at 5 a second) put back, those claimed when the refusal came.
    expect(claimsInPause).toBeLessThanOrEqual(1);
    expect(putBackInPause).toBeLessThanOrEqual(10);
    // The loop would wake at the pause's end (the refused row's next try), not at the lump's due time.
    // (Under load one drain can outlast the pause: its pace waits are timers fired 2 ms of real
    // time apart, and a claim slower than that lets the clock run on. Then no loop turn fell in the
    // pause, and the prompt resumption below is what shows the lane was not left to the due time.)
    if (wakeInPause) expect(wakeInPause.getTime()).toBeLessThanOrEqual(end);
    // Sending ahead resumes once the pause ends and goes on without gaps, at the pace the refusal
    // halved: the lump's tail is late by what that costs, not by a wait for its due time. (The
    // first send waits up to 2 s more: the pace turns booked before the refusal, a cycle's worth
    // at the old pace, are still owed at the halved one.)
    const after = sent.filter((s) => s.at >= end).map((s) => s.at);
    expect(after[0]! - end).toBeLessThanOrEqual(2100);
    for (let i = 1; i < after.length; i++) expect(after[i]! - after[i - 1]!).toBeLessThanOrEqual(1100);
    const rows = await suite.db.db.selectFrom('deliveries').select(['state', 'attempts', 'next_attempt_at', 'due_at', 'dedupe_key']).execute();
    expect(rows.every((r) => r.state === 'sent' && r.attempts === 0)).toBe(true);
  });
});
