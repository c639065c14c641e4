import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { LiveReplicas } from '../../src/delivery/live-replicas.js';
import { enqueue, type PlannedDelivery } from '../../src/delivery/outbox.js';
import { platformPacing } from '../../src/delivery/platform-pacing.js';
import { createLogger } from '../../src/log.js';
import type { ChannelSender } from '../../src/ports/channel.port.js';
import { startSink, sinkSender } from './http-sink.js';
import { dialects, freshDatabase } from '../support/databases.js';

const log = createLogger('silent');
const STEP_MS = 250;

/** Most sends in any one-second window. */
const busiestSecond = (times: number[]) => Math.max(0, ...times.map((t) => times.filter((u) => u >= t && u < t + 1000).length));

describe.each(dialects)('pacing shared by dispatcher replicas on %s', (kind) => {
  let db: Db;
  let sink: Awaited<ReturnType<typeof startSink>>;
  const clock = new FixedClock('2027-01-04T08:00:00Z');
  /** When each message reached the fake Slack API, on the test's clock, by replica. */
  let sentAt: { by: string; at: number }[];

  beforeAll(async () => (sink = await startSink()));
  afterAll(async () => sink?.close());
  beforeEach(async () => {
    clock.set('2027-01-04T08:00:00Z');
    sentAt = [];
    db = await freshDatabase(kind);
    // Sixty messages for one Slack channel, all due now.
    const rows: PlannedDelivery[] = Array.from({ length: 60 }, (_, i) => ({
      key: `c1-${i}`, kind: 'notice', place: { address: 'C1', language: 'pl' }, channels: ['slack'], payload: { language: 'pl', title: `m${i}`, text: 'x' }, dueAt: clock.now(),
    }));
    await enqueue(db.db, rows);
  });
  afterEach(async () => db?.close());

  const replica = (id: string) => {
    const replicas = new LiveReplicas({ db: db.db, clock, log, workerId: id });
    const slack = sinkSender('slack', sink.url);
    const sender: ChannelSender = { kind: 'slack', send: (address, message) => (sentAt.push({ by: id, at: clock.now().getTime() }), slack.send(address, message)) };
    // No waiting inside a batch: a send either goes now, on the clock, or back to the outbox.
    const dispatcher = new Dispatcher({ db: db.db, clock, log, workerId: id, batchSize: 2, senders: new Map([['slack', sender]]), pacing: platformPacing, replicas, maxPaceWaitMs: 0 });
    return { replicas, dispatcher };
  };
  /** Both (or one) replicas run a batch every step of the clock, for `ms`. */
  const run = async (dispatchers: Dispatcher[], ms: number) => {
    for (const end = clock.now().getTime() + ms; clock.now().getTime() < end; clock.advance(STEP_MS)) await Promise.all(dispatchers.map((d) => d.runOnce()));
  };

  it('should keep two replicas together under Slack’s one message a second per channel', async () => {
    const start = clock.now().getTime();
    const a = replica('a');
    const b = replica('b');
    // a runs alone at first, with the whole limit; b joins, finds a, and holds back until a
    // (refreshing every 5 s) has counted it.
    expect(await a.replicas.beat()).toBe(1);
    expect(await b.replicas.beat()).toBe(2);
    await run([a.dispatcher, b.dispatcher], 20_000);

    const times = sentAt.map((s) => s.at);
    // Slack allows one a second per channel with a burst of two: at most 22 in 20 s, 2 in any second.
    expect(times.length).toBeGreaterThanOrEqual(18);
    expect(times.length).toBeLessThanOrEqual(22);
    expect(busiestSecond(times)).toBeLessThanOrEqual(2);
    expect(Math.min(...sentAt.filter((s) => s.by === 'b').map((s) => s.at)) - start).toBeGreaterThanOrEqual(5000);
    expect(a.replicas.count).toBe(2);
    expect(sink.received.filter((r) => r.address === 'C1').length).toBeGreaterThanOrEqual(times.length);
  });

  it('should stop counting a replica that stopped beating, and then pace the survivor at the whole limit', async () => {
    const a = replica('a');
    const b = replica('b');
    await b.replicas.beat();
    expect(await a.replicas.beat()).toBe(2);
    // a found b at its first heartbeat, so it waits its first five seconds before sending.
    expect(a.replicas.joiningUntil()).toEqual(new Date(clock.now().getTime() + 5000));
    // b goes silent (a crash: its row stays). Heartbeats age on the database's clock, so the
    // test backdates b's instead of waiting. Twenty seconds on it still counts…
    const silentFor = (seconds: number) => sql`update dispatchers set seen_at = now() - ${seconds}::int * interval '1 second' where worker_id = 'b'`.execute(db.db);
    clock.advance(20_000);
    await silentFor(20);
    expect(await a.replicas.beat()).toBe(2);
    // …and after thirty it does not.
    clock.advance(11_000);
    await silentFor(31);
    expect(await a.replicas.beat()).toBe(1);
    await run([a.dispatcher], 10_000);
    const times = sentAt.map((s) => s.at);
    // Alone, a has Slack's whole per-channel limit: its burst of two, then one a second.
    expect(times.length).toBeGreaterThanOrEqual(10);
    expect(times.length).toBeLessThanOrEqual(12);
    expect(busiestSecond(times)).toBeLessThanOrEqual(3);
  });

  it('should stop counting a replica that stopped gracefully at once', async () => {
    const a = replica('a');
    const b = replica('b');
    await b.replicas.beat();
    expect(await a.replicas.beat()).toBe(2);
    await b.replicas.stop();
    expect(await a.replicas.beat()).toBe(1);
  });
});
