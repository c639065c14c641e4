import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { connect } from '../../adapters/db/connect.js';
import type { Db } from '../../src/db/db.port.js';
import { runAs, type Precedence } from '../../src/precedence.js';

/**
 * A PostgreSQL pool of one connection (`poolSize: 1`: the admin and one-off connections) has no
 * connection to keep back from work that is not interactive (adapters/db/pg-pool.ts keeps max − 1
 * for it). So, like PGlite's one connection, everything waits at one gate by precedence: a request
 * goes before delivery work that was waiting before it. (It used to pass the gate meant for
 * max − 1 and then queue first come, first served in pg's pool, behind the dispatcher.)
 */
describe.skipIf(!process.env.TEST_DATABASE_URL)('a PostgreSQL pool of one connection', () => {
  let db: Db | undefined;
  afterEach(async () => {
    await db?.close();
    db = undefined;
  });

  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('should let a request go before delivery work that queued before it', async () => {
    db = await connect({ databaseUrl: process.env.TEST_DATABASE_URL!, poolSize: 1 });
    await sql`select 1`.execute(db.db);
    const order: Precedence[] = [];
    const statement = (as: Precedence, seconds: number) => runAs(as, () => sql`select pg_sleep(${seconds})`.execute(db!.db).then(() => void order.push(as)));
    // A request holds the one connection; the dispatcher's statement waits; then another request comes.
    const first = statement('interactive', 0.3);
    await pause(60);
    const delivery = statement('delivery', 0);
    await pause(60);
    const request = statement('interactive', 0);
    await Promise.all([first, delivery, request]);
    expect(order).toEqual(['interactive', 'interactive', 'delivery']);
  });

  it('should still run delivery and background work, in that order, a transaction let in as one (no deadlock)', async () => {
    db = await connect({ databaseUrl: process.env.TEST_DATABASE_URL!, poolSize: 1 });
    const order: Precedence[] = [];
    const statement = (as: Precedence) => runAs(as, () => sql`select pg_sleep(0.05)`.execute(db!.db).then(() => void order.push(as)));
    const all = [statement('interactive')];
    await pause(20);
    all.push(statement('background'), statement('delivery'));
    // A transaction holds the connection across its statements, and is let in as one.
    all.push(runAs('background', () => db!.db.transaction().execute(async (trx) => (await sql`select 1`.execute(trx), await sql`select 2`.execute(trx)))).then(() => void order.push('background')));
    await Promise.all(all);
    expect(order).toEqual(['interactive', 'delivery', 'background', 'background']);
  });
});
