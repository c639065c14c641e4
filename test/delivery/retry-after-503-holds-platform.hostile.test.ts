import { beforeEach, describe, expect, it } from 'vitest';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { enqueue, type PlannedDelivery } from '../../src/delivery/outbox.js';
import type { ChannelSender } from '../../src/ports/channel.port.js';
import { dialects } from '../support/databases.js';
import { VirtualTime } from '../support/virtual-time.js';
import { slackOnLoopback } from './slack-on-loopback-fixture.js';

const ROWS = 40;
const HOLD_MS = 5000;

/**
 * Hostile review: a refusal that is not for pace but names its wait (Slack answering
 * `503 Service Unavailable` with `Retry-After: 5`) held only the refused row, which waited its
 * 5 s; the lane went on sending Slack's other rows through the wait, to a platform that had
 * said "come back in 5 seconds". Now the platform's pacer keys are held for the wait (its pace
 * is not halved: it was no refusal for pace). The real Slack sender against a fake Web API on
 * loopback; the clock is virtual (test/support/virtual-time.ts).
 */
describe.each(dialects)('a 503 with Retry-After from Slack on %s', (kind) => {
  const world = slackOnLoopback(kind);
  const { clock } = world;
  beforeEach(async () => {
    // One message to each of forty channels: the workspace's 5 a second binds, not a channel's.
    const rows: PlannedDelivery[] = Array.from({ length: ROWS }, (_, i) => ({
      key: `n-${i}`, kind: 'notice', place: { address: `C${String(i).padStart(3, '0')}`, language: 'pl' }, channels: ['slack'],
      payload: { language: 'pl', title: `n${i}`, text: 'x' }, dueAt: clock.now(),
    }));
    await enqueue(world.db.db, rows);
  });

  it('should send nothing more to Slack until the named wait is over, and then send again', async () => {
    const time = new VirtualTime(clock);
    const sent: { at: number; address: string }[] = [];
    let requests = 0;
    let refusedAt: number | undefined;
    const sender: ChannelSender = {
      kind: 'slack',
      async send(address, message, options) {
        const at = clock.now().getTime();
        // The twelfth request (past the workspace's burst of ten) is answered 503, Retry-After: 5.
        if (++requests === 12) world.api.failNext('chat.postMessage', { status: 503, headers: { 'retry-after': '5' }, body: { ok: false, error: 'service_unavailable' } });
        const result = await world.slack.sender.send(address, message, options);
        if (result.ok) sent.push({ at, address });
        else refusedAt ??= clock.now().getTime();
        return result;
      },
    };
    const d = new Dispatcher({ ...world.dispatching(), senders: new Map([['slack', sender]]), sleep: time.sleep });
    const until = clock.now().getTime() + 60_000;
    while (sent.length < ROWS && clock.now().getTime() < until) {
      await time.run(d.drainLane('slack'));
      clock.advance(100);
    }
    await d.stop({ deadlineMs: 200 });

    expect(refusedAt).toBeDefined();
    const end = refusedAt! + HOLD_MS;
    // Nothing went to Slack while it had asked for 5 s (requests already under way when the 503 came back excepted).
    expect(sent.filter((s) => s.at > refusedAt! && s.at < end).map((s) => s.at - refusedAt!)).toEqual([]);
    // Then sending goes on promptly, and every message goes once, the refused one included.
    const after = sent.filter((s) => s.at >= end).map((s) => s.at);
    expect(after.length).toBeGreaterThan(0);
    expect(after[0]! - end).toBeLessThanOrEqual(1000);
    expect(new Set(sent.map((s) => s.address)).size).toBe(ROWS);
    expect(sent).toHaveLength(ROWS);
    // The pace was not halved: after the hold, about the workspace's 5 a second (one every
    // 200 ms), not 2.5 (400 ms).
    const span = after.at(-1)! - after[0]!;
    expect(span / (after.length - 1)).toBeLessThanOrEqual(300);
    const rows = await world.db.db.selectFrom('deliveries').select(['state', 'attempts']).execute();
    expect(rows.every((r) => r.state === 'sent' && r.attempts === 0)).toBe(true);
  });
});
