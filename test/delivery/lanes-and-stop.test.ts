import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { DeliveryLoop } from '../../src/delivery/delivery-loop.js';
import { Dispatcher, type DispatcherOptions } from '../../src/delivery/dispatcher.js';
import { enqueue, type PlannedDelivery } from '../../src/delivery/outbox.js';
import { createLogger } from '../../src/log.js';
import type { ChannelKind, ChannelSender, Message } from '../../src/ports/channel.port.js';
import { dialects, freshDatabase } from '../support/databases.js';

const log = createLogger('silent');
// Real time: these tests are about what a hanging platform does to the others and to a stop,
// measured in (short) real milliseconds.
const clock: Clock = { now: () => new Date() };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** `work`'s result, or 'too late' after `ms`: a test that would hang fails instead. */
const within = <T>(ms: number, work: Promise<T>) => Promise.race([work, sleep(ms).then(() => 'too late' as const)]);

describe.each(dialects)('lanes, send time limits and stopping on %s', (kind) => {
  let db: Db;
  let person: number;
  let loop: DeliveryLoop | undefined;
  const sent: { channel: ChannelKind; title: string }[] = [];
  /** Hangs forever on titles starting with "hang", whatever the signal says; sends the rest. */
  const platform = (channel: ChannelKind): ChannelSender => ({
    kind: channel,
    send: (_a: string, m: Message) => (m.title.startsWith('hang') ? new Promise(() => undefined) : (sent.push({ channel, title: m.title }), Promise.resolve({ ok: true }))),
  });
  beforeEach(async () => {
    sent.length = 0;
    db = await freshDatabase(kind);
    person = (await db.db.insertInto('people').values({ email: 'a@example.org', name: 'A', language: 'pl', channels: '["email"]', source: 't.yaml' }).returning('id').executeTakeFirstOrThrow()).id;
    await db.db.insertInto('person_channels').values({ person_id: person, channel: 'slack', external_id: 'U1', address: 'U1' }).execute();
  });
  afterEach(async () => {
    await loop?.stop({ deadlineMs: 200 });
    loop = undefined;
    await db?.close();
  });

  const row = (key: string, channel: ChannelKind, title: string, inMs = 0): PlannedDelivery => ({
    key, kind: 'notice', personId: person, channels: [channel], payload: { language: 'pl', title, text: 'x' }, dueAt: new Date(Date.now() + inMs),
  });
  const dispatcher = (over: Partial<DispatcherOptions> = {}) =>
    new Dispatcher({ db: db.db, clock, log, workerId: 'w1', senders: new Map([['email', platform('email')], ['slack', platform('slack')]]), ...over });
  const startLoop = (d: Dispatcher) => ((loop = new DeliveryLoop({ db: db.db, dispatcher: d, clock, log })), loop.start());
  const until = async (done: () => boolean, ms = 3000) => {
    for (const end = Date.now() + ms; !done() && Date.now() < end; ) await sleep(20);
  };
  const states = async () => Object.fromEntries((await db.db.selectFrom('deliveries').select(['dedupe_key', 'state']).execute()).map((r) => [r.dedupe_key, r.state]));

  it('should send Slack messages that fall due while the mail server hangs, on time', async () => {
    await enqueue(db.db, [row('mail', 'email', 'hang: mail'), row('chat', 'slack', 'chat', 300)]);
    const d = dispatcher();
    startLoop(d);
    await until(() => sent.length > 0);
    expect(sent).toEqual([{ channel: 'slack', title: 'chat' }]);
    // The mail is still being sent: claimed by this dispatcher, pending in the table (a claim is not stored).
    expect((await states()).mail).toBe('pending');
    const mail = await db.db.selectFrom('deliveries').select('id').where('dedupe_key', '=', 'mail').executeTakeFirstOrThrow();
    expect(d.claims.held()).toContain(mail.id);
  });

  it('should count a send with no answer within its time limit as a temporary failure', async () => {
    await enqueue(db.db, [row('mail', 'email', 'hang: mail')]);
    expect(await within(3000, dispatcher({ sendTimeoutMs: 200 }).drain())).toMatchObject({ retried: 1 });
    expect(await db.db.selectFrom('deliveries').select(['state', 'attempts', 'last_error']).executeTakeFirstOrThrow()).toEqual({
      state: 'pending', attempts: 1, last_error: 'email: no answer within 0.2 s',
    });
  });

  it('should stop within its deadline: no new claims, unsent rows handed back, a hanging send cut off and handed back', async () => {
    let opened: (() => void) | undefined;
    const gate = new Promise<void>((resolve) => (opened = resolve));
    const render = async (r: { payload: unknown }) => {
      const message = r.payload as Message;
      if (message.title === 'late') await gate;
      return message;
    };
    await enqueue(db.db, [row('inflight', 'email', 'hang: in flight'), row('unsent', 'email', 'late'), row('done', 'email', 'done')]);
    startLoop(dispatcher({ render }));
    await until(() => sent.length > 0);
    const started = Date.now();
    const stopping = loop!.stop({ deadlineMs: 1000 });
    opened!();
    expect(await within(3000, stopping)).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(1500);
    expect(await states()).toEqual({ inflight: 'pending', unsent: 'pending', done: 'sent' });
    expect(sent.map((s) => s.title)).toEqual(['done']);
    // Stopped means stopped: a row queued now stays in the outbox for the next start.
    await enqueue(db.db, [row('after', 'email', 'after')]);
    loop!.poke();
    await sleep(200);
    expect((await states()).after).toBe('pending');
  });
});
