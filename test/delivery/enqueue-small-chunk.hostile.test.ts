import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connect } from '../../adapters/db/connect.js';
import type { Db } from '../../src/db/db.port.js';
import { enqueue, SMALL_CHUNK, type PlannedDelivery } from '../../src/delivery/outbox.js';
import { dialects, freshDatabase } from '../support/databases.js';
import { addPerson, plannedNotice } from './enqueue-fixture.js';

/**
 * Hostile review of the small enqueue without the key lookup (outbox.ts, SMALL_CHUNK): the count
 * returned and the rows kept must be what the lookup gave. Keys already there in every state
 * (sent, failed, cancelled, expired), a key twice in one chunk, a key deleted earlier in the same
 * transaction (a seat offer's earlier message, seat-offers.ts), and on PostgreSQL the same small
 * enqueue from two connections at once.
 */
describe.each(dialects)('a small enqueue without the lookup on %s', (kind) => {
  let db: Db;
  let person: number;
  beforeEach(async () => {
    db = await freshDatabase(kind);
    person = await addPerson(db);
  });
  afterEach(async () => db?.close());

  const planned = (key: string, title = key): PlannedDelivery => plannedNotice(person, key, title);
  const rows = async () => db.db.selectFrom('deliveries').select(['dedupe_key', 'state', 'payload']).orderBy('dedupe_key').execute();

  it('leaves keys in any state alone and counts only the rows added', async () => {
    const states = ['sent', 'failed', 'cancelled', 'expired'] as const;
    expect(await enqueue(db.db, states.map((s) => planned(s)))).toBe(4);
    for (const s of states) await db.db.updateTable('deliveries').set({ state: s }).where('dedupe_key', '=', s).execute();
    const again = [...states.map((s) => planned(s, `${s} again`)), planned('new'), planned('new', 'new twice')];
    expect(again.length).toBeLessThanOrEqual(SMALL_CHUNK);
    expect(await enqueue(db.db, again)).toBe(1);
    expect((await rows()).map((r) => [r.dedupe_key, r.state, (r.payload as { title: string }).title])).toEqual([
      ['cancelled', 'cancelled', 'cancelled'],
      ['expired', 'expired', 'expired'],
      ['failed', 'failed', 'failed'],
      ['new', 'pending', 'new'],
      ['sent', 'sent', 'sent'],
    ]);
  });

  it('adds a key deleted earlier in the same transaction, and counts it', async () => {
    await enqueue(db.db, [planned('offer')]);
    const added = await db.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('deliveries').where('dedupe_key', '=', 'offer').execute();
      return enqueue(trx, [planned('offer', 'second')]);
    });
    expect(added).toBe(1);
    expect((await rows()).map((r) => (r.payload as { title: string }).title)).toEqual(['second']);
  });

  it.runIf(kind === 'postgres')('the same small enqueue from two connections at once: one row, counted once', async () => {
    const schema = (await db.db.selectNoFrom((eb) => eb.fn<string>('current_schema').as('s')).executeTakeFirstOrThrow()).s;
    const others = await Promise.all([1, 2].map(() => connect({ databaseUrl: process.env.TEST_DATABASE_URL!, schema, poolSize: 1 })));
    try {
      for (let round = 0; round < 10; round++) {
        const keys = [`r${round}a`, `r${round}b`];
        const counts = await Promise.all(others.map((o) => o.db.transaction().execute((trx) => enqueue(trx, keys.map((k) => planned(k))))));
        expect(counts.reduce((a, b) => a + b, 0)).toBe(2);
      }
      expect(await rows()).toHaveLength(20);
    } finally {
      await Promise.all(others.map((o) => o.close()));
    }
  });
});
