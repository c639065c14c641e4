import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { Dispatcher, type DispatcherOptions } from '../../src/delivery/dispatcher.js';
import { enqueue, type PlannedDelivery } from '../../src/delivery/outbox.js';
import { createLogger } from '../../src/log.js';
import type { ChannelSender, Message } from '../../src/ports/channel.port.js';
import { dialects, freshDatabase } from '../support/databases.js';

const log = createLogger('silent');

/** Each row is its own: its failure, its recording and its rendering are never another row's. */
describe.each(dialects)('one row of a batch on %s', (kind) => {
  let db: Db;
  const people: number[] = [];
  const clock = new FixedClock('2027-01-04T08:00:00Z');
  const received: { address: string; title: string }[] = [];
  const sender: ChannelSender = { kind: 'email', send: async (address: string, m: Message) => (received.push({ address, title: m.title }), { ok: true }) };
  beforeEach(async () => {
    clock.set('2027-01-04T08:00:00Z');
    received.length = 0;
    people.length = 0;
    db = await freshDatabase(kind);
    for (const email of ['a@example.org', 'b@example.org', 'c@example.org']) {
      people.push((await db.db.insertInto('people').values({ email, name: email, language: 'pl', channels: '["email"]', source: 't.yaml' }).returning('id').executeTakeFirstOrThrow()).id);
    }
  });
  afterEach(async () => db?.close());

  const dispatcher = (over: Partial<DispatcherOptions> = {}) => new Dispatcher({ db: db.db, clock, log, workerId: 'w1', senders: new Map([['email', sender]]), ...over });
  /** One row per person, all carrying the same reference. */
  const sameReference = (payload: PlannedDelivery['payload']) =>
    enqueue(db.db, people.map((personId, i): PlannedDelivery => ({ key: `k${i}`, kind: 'checkin', personId, channels: ['email'], payload, dueAt: clock.now() })));
  const states = async () => (await db.db.selectFrom('deliveries').select(['dedupe_key', 'state', 'last_error']).orderBy('dedupe_key').execute()).map((r) => [r.dedupe_key, r.state, r.last_error]);

  it('should record a row that throws while rendering as failed with the reason, and send the rest of its batch once', async () => {
    await enqueue(db.db, people.map((personId, i): PlannedDelivery => ({ key: `k${i}`, kind: 'notice', personId, channels: ['email'], payload: { type: 'x', n: String(i) }, dueAt: clock.now() })));
    const render = async (row: { payload: unknown }) => {
      if ((row.payload as { n: string }).n === '1') throw new Error('the meeting has no series');
      return { language: 'pl' as const, title: `m${(row.payload as { n: string }).n}`, text: 'x' };
    };
    expect(await dispatcher({ render }).drain()).toMatchObject({ sent: 2, failed: 1 });
    expect(await states()).toEqual([
      ['k0', 'sent', null],
      ['k1', 'failed', 'could not be rendered: the meeting has no series'],
      ['k2', 'sent', null],
    ]);
    // Nothing stays claimed, so nothing goes out again after a lease.
    clock.advance(3_600_000);
    expect(await dispatcher({ render, workerId: 'w2' }).drain()).toMatchObject({ sent: 0 });
    expect(received.map((r) => r.title).sort()).toEqual(['m0', 'm2']);
  });

  it('should record each send as soon as it is known, not at the end of the batch', async () => {
    await enqueue(db.db, people.slice(0, 2).map((personId, i): PlannedDelivery => ({ key: `k${i}`, kind: 'notice', personId, channels: ['email'], payload: { language: 'pl', title: `m${i}`, text: 'x' }, dueAt: clock.now() })));
    let release: (() => void) | undefined;
    const oneHangs: ChannelSender = {
      kind: 'email',
      send: (address, m) => (m.title === 'm1' ? new Promise((resolve) => (release = () => resolve({ ok: true }))) : sender.send(address, m)),
    };
    const running = dispatcher({ senders: new Map([['email', oneHangs]]) }).drain();
    for (let i = 0; i < 200 && ((await states())[0]![1] !== 'sent' || !release); i++) await new Promise((r) => setTimeout(r, 10));
    // m0 is recorded while m1 is still on its way (claimed, still pending in the table): a crash now would resend m1 alone.
    expect(await states()).toEqual([
      ['k0', 'sent', null],
      ['k1', 'pending', null],
    ]);
    release?.();
    expect(await running).toMatchObject({ sent: 2 });
  });

  it('should render a message for each person even when two rows of a batch carry the same reference', async () => {
    await sameReference({ type: 'checkin', teamId: 'lodz', date: '2027-01-12' });
    // A message bound to its person, as a check-in's signed form link is.
    const render = async (row: { person_id: number | null }) => ({ language: 'pl' as const, title: `form for ${row.person_id}`, text: 'x' });
    expect(await dispatcher({ render }).drain()).toMatchObject({ sent: 3 });
    const byAddress = Object.fromEntries(received.map((r) => [r.address, r.title]));
    expect(byAddress).toEqual({ 'a@example.org': `form for ${people[0]}`, 'b@example.org': `form for ${people[1]}`, 'c@example.org': `form for ${people[2]}` });
  });

  it('should render once for everyone a message the renderer declares shareable', async () => {
    await sameReference({ type: 'reminder', teamId: 'lodz', date: '2027-01-12' });
    let renders = 0;
    const render = async () => (renders++, { language: 'pl' as const, title: 'Spotkanie jutro', text: 'x' });
    expect(await dispatcher({ render, shareable: () => true }).drain()).toMatchObject({ sent: 3 });
    expect(renders).toBe(1);
  });
});
