import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { dialects } from '../support/databases.js';
import { faultyDatabase, InjectedFault, isWrite, type FaultyDb } from '../support/faults.js';

type Kdb = FaultyDb['db']['db'];
const insertProbe = (db: Kdb) => sql`insert into fault_probe (n) values (1)`.execute(db);
const rows = async (db: Kdb) => (await sql<{ n: number }>`select count(*)::int as n from fault_probe`.execute(db)).rows[0]!.n;

async function probed(kind: Parameters<typeof faultyDatabase>[0]): Promise<FaultyDb> {
  const open = await faultyDatabase(kind);
  await sql`create table fault_probe (n int)`.execute(open.db.db);
  open.faults.clear();
  return open;
}

describe.each(dialects)('database fault injection (%s)', (kind) => {
  let open: FaultyDb | undefined;
  afterEach(async () => {
    await open?.db.close();
    open = undefined;
  });

  it('fails the nth statement from now, once, and lets the rest through', async () => {
    open = await probed(kind);
    const { db, faults } = open;
    faults.failNth(2);
    await sql`select 1`.execute(db.db);
    await expect(sql`select 2`.execute(db.db)).rejects.toBeInstanceOf(InjectedFault);
    await sql`select 3`.execute(db.db);
    expect(faults.queries.map((q) => [q.sql, q.failed])).toEqual([
      ['select 1', false],
      ['select 2', true],
      ['select 3', false],
    ]);
  });

  it('fails the first matching statement inside a transaction only, and the transaction is rolled back', async () => {
    open = await probed(kind);
    const { db, faults } = open;
    faults.failFirst(/insert into fault_probe/, { inTransaction: true });
    const before = await rows(db.db);
    await expect(db.db.transaction().execute((trx) => insertProbe(trx))).rejects.toBeInstanceOf(InjectedFault);
    expect(await rows(db.db)).toBe(before);
    await insertProbe(db.db); // outside a transaction: not matched, and the rule is spent anyway
    expect(await rows(db.db)).toBe(before + 1);
  });

  it('a rule limited to statements outside transactions leaves transactions alone', async () => {
    open = await probed(kind);
    const { db, faults } = open;
    faults.failFirst(/insert into fault_probe/, { inTransaction: false });
    await db.db.transaction().execute((trx) => insertProbe(trx));
    await expect(insertProbe(db.db)).rejects.toBeInstanceOf(InjectedFault);
  });

  it('a failed commit leaves nothing stored', async () => {
    open = await probed(kind);
    const { db, faults } = open;
    faults.failFirst(/^commit$/);
    const before = await rows(db.db);
    await expect(db.db.transaction().execute((trx) => insertProbe(trx))).rejects.toBeInstanceOf(InjectedFault);
    expect(await rows(db.db)).toBe(before);
  });

  it('lists the writes of a flow, and each can be failed in turn', async () => {
    open = await probed(kind);
    const { db, faults } = open;
    const flow = () =>
      db.db.transaction().execute(async (trx) => {
        await sql`select 1`.execute(trx);
        await sql`update fault_probe set n = n + 1`.execute(trx);
        await insertProbe(trx);
      });
    const writes = await faults.writesOf(flow);
    expect(writes.map((w) => w.sql.split(' ')[0])).toEqual(['update', 'insert', 'commit']);
    for (let i = 1; i <= writes.length; i++) {
      faults.failNth(i, { writesOnly: true });
      await expect(flow()).rejects.toBeInstanceOf(InjectedFault);
      expect(await rows(db.db)).toBe(1);
    }
    await flow();
    expect(await rows(db.db)).toBe(2);
  });
});

describe('isWrite', () => {
  it('knows writes from reads, also in a with', () => {
    expect(isWrite('insert into "deliveries" values (1)')).toBe(true);
    expect(isWrite('with x as (delete from "a" returning 1) select * from x')).toBe(true);
    expect(isWrite('select * from "reports" for update')).toBe(false);
    expect(isWrite('with x as (select 1) select * from x')).toBe(false);
  });
});
