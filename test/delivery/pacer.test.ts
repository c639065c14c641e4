import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { Dispatcher, type DispatcherOptions } from '../../src/delivery/dispatcher.js';
import { enqueue, type PlannedDelivery } from '../../src/delivery/outbox.js';
import { Pacer, type PaceRule } from '../../src/delivery/pacer.js';
import { platformPacing } from '../../src/delivery/platform-pacing.js';
import { createLogger } from '../../src/log.js';
import type { ChannelSender, Message } from '../../src/ports/channel.port.js';
import { dialects, freshDatabase } from '../support/databases.js';

const perChannel: PaceRule = { key: 'slack:U1', perSecond: 1, burst: 1 };

describe('the pacer (token buckets on the injected clock)', () => {
  it('should let a send go at once, book the next within the allowed wait, and refuse to book beyond it', () => {
    const clock = new FixedClock('2027-01-04T08:00:00Z');
    const pacer = new Pacer(clock);
    expect(pacer.reserve([perChannel], 1000)).toEqual({ waitMs: 0, booked: true });
    expect(pacer.reserve([perChannel], 1000)).toEqual({ waitMs: 1000, booked: true });
    expect(pacer.reserve([perChannel], 1000)).toEqual({ waitMs: 2000, booked: false });
    // Refused bookings take nothing: a second later the next one waits behind the booked one only.
    clock.advance(1000);
    expect(pacer.reserve([perChannel], 1000)).toEqual({ waitMs: 1000, booked: true });
    clock.advance(10_000);
    expect(pacer.reserve([perChannel], 0)).toEqual({ waitMs: 0, booked: true });
  });

  it('should allow bursts up to the bucket size and then the steady rate', () => {
    const clock = new FixedClock('2027-01-04T08:00:00Z');
    const pacer = new Pacer(clock);
    const rule: PaceRule = { key: 'teams', perSecond: 50, burst: 50 };
    const waits = Array.from({ length: 60 }, () => pacer.reserve([rule], 1000).waitMs);
    expect(waits.slice(0, 50).every((w) => w === 0)).toBe(true);
    expect(waits.slice(50)).toEqual([20, 40, 60, 80, 100, 120, 140, 160, 180, 200]);
  });

  it('should hold a send to the slowest of its rules, and charge every rule', () => {
    const clock = new FixedClock('2027-01-04T08:00:00Z');
    const pacer = new Pacer(clock);
    const global: PaceRule = { key: 'slack', perSecond: 5, burst: 2 };
    expect(pacer.reserve([global, { ...perChannel, key: 'slack:A' }], 1000).waitMs).toBe(0);
    expect(pacer.reserve([global, { ...perChannel, key: 'slack:B' }], 1000).waitMs).toBe(0);
    // Another person, but the workspace bucket is empty: 1/5 s.
    expect(pacer.reserve([global, { ...perChannel, key: 'slack:C' }], 1000).waitMs).toBe(200);
    // The same person again: their channel allows one a second.
    expect(pacer.reserve([global, { ...perChannel, key: 'slack:A' }], 1000).waitMs).toBe(1000);
  });

  it('should pace Slack per channel, Teams per conversation and e-mail as one channel', () => {
    expect(platformPacing('slack', 'U1').map((r) => r.key)).toEqual(['slack', 'slack:U1']);
    expect(platformPacing('slack', 'U1')[1]).toMatchObject({ perSecond: 1 });
    const reference = JSON.stringify({ serviceUrl: 'https://smba.example/', conversation: { id: 'a:1' } });
    expect(platformPacing('teams', reference).map((r) => r.key)).toEqual(['teams', 'teams:a:1']);
    expect(platformPacing('teams', reference)[0]).toMatchObject({ perSecond: 50 });
    expect(platformPacing('email', 'a@example.org').map((r) => r.key)).toEqual(['email']);
    expect(platformPacing('console', 'x')).toEqual([]);
  });
});

describe.each(dialects)('the dispatcher with pacing on %s', (kind) => {
  let db: Db;
  let person: number;
  const clock = new FixedClock('2027-01-04T08:00:00Z');
  beforeEach(async () => {
    clock.set('2027-01-04T08:00:00Z');
    db = await freshDatabase(kind);
    person = (
      await db.db.insertInto('people').values({ email: 'a@example.org', name: 'A', language: 'pl', channels: '["email"]', source: 't.yaml' }).returning('id').executeTakeFirstOrThrow()
    ).id;
  });
  afterEach(async () => db?.close());

  /** A dispatcher sending e-mail through `sender`, paced at one message a second per address. */
  const pacedDispatcher = (sender: ChannelSender, options: Pick<DispatcherOptions, 'sleep' | 'render'>) =>
    new Dispatcher({
      db: db.db,
      clock,
      log: createLogger('silent'),
      workerId: 'w',
      senders: new Map([['email', sender]]),
      pacing: (_channel, address) => [{ key: address, perSecond: 1, burst: 1 }],
      ...options,
    });
  /** Four notices to the same person, due now, keyed `<prefix>0`…`<prefix>3` and titled m0…m3. */
  const fourNotices = (prefix: string) =>
    enqueue(
      db.db,
      [0, 1, 2, 3].map((i): PlannedDelivery => ({
        key: `${prefix}${i}`, kind: 'notice', personId: person, channels: ['email'], payload: { language: 'pl', title: `m${i}`, text: 'x' }, dueAt: clock.now(),
      })),
    );

  it('should wait briefly for a paced send and put back, not lose, what would wait longer', async () => {
    const sent: { title: string; at: string }[] = [];
    const waits: number[] = [];
    const sender: ChannelSender = { kind: 'email', send: async (_a: string, m: Message) => (sent.push({ title: m.title, at: clock.now().toISOString() }), { ok: true }) };
    const dispatcher = pacedDispatcher(sender, { sleep: async (ms) => void waits.push(ms) });
    await fourNotices('p');

    expect(await dispatcher.drain()).toMatchObject({ sent: 2, deferred: 2, retried: 0 });
    expect(waits).toEqual([1000]);
    const rows = await db.db.selectFrom('deliveries').select(['dedupe_key', 'state', 'attempts', 'next_attempt_at']).where('state', '=', 'pending').orderBy('next_attempt_at').execute();
    expect(rows.map((r) => [r.attempts, r.next_attempt_at.toISOString()])).toEqual([
      [0, '2027-01-04T08:00:02.000Z'],
      [0, '2027-01-04T08:00:02.000Z'],
    ]);
    clock.advance(2000);
    expect(await dispatcher.drain()).toMatchObject({ sent: 2, deferred: 0 });
    expect(waits).toEqual([1000, 1000]);
    expect(new Set(sent.map((s) => s.title))).toEqual(new Set(['m0', 'm1', 'm2', 'm3']));
    expect(sent).toHaveLength(4);
  });

  it('should render only the rows it sends, not those the pacing puts back', async () => {
    const rendered: string[] = [];
    const sender: ChannelSender = { kind: 'email', send: async () => ({ ok: true }) };
    const dispatcher = pacedDispatcher(sender, { sleep: async () => undefined, render: async (row) => (rendered.push(row.dedupe_key), row.payload as Message) });
    await fourNotices('r');
    expect(await dispatcher.drain()).toMatchObject({ sent: 2, deferred: 2 });
    expect(rendered).toHaveLength(2);
  });
});
