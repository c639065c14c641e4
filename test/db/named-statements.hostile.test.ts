import { randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type ConnectedDb } from '../../adapters/db/connect.js';
import type { Database } from '../../src/db/tables.js';

/**
 * Hostile review of the named statements (adapters/db/named-statements.ts, 312c8db).
 *
 * What a named statement keeps that an unnamed one does not: PostgreSQL fixes the types of its
 * parameters when it is parsed ($1 of `where a = $1` becomes the column's type of that moment).
 * The plan cache re-analyses the statement after a schema change, but with those same parameter
 * types. A migration that changes a column's type (int to bigint, as ids outgrow int4; int to
 * text) then makes every connection that prepared a statement on it fail it for as long as the
 * connection lives: not 0A000, not 26000, so (before ea53f56) never renamed and never retried.
 * Unnamed, as before the change, the same statements simply work. Fixed: errors of classes 22 and
 * 42 rename the text and are retried once outside a transaction.
 *
 * pg's own state: a value pg cannot serialise (JSON.stringify throws: a circular object, a BigInt
 * inside a JSON value) makes pg send Close for the named statement (query.js prepare), so the
 * server forgets it while pg's parsedStatements still lists it. The next use then failed with
 * 26000, which a transaction does not survive. Fixed: an error pg raises before sending renames
 * the text.
 *
 * Outcomes are collected as 'ok' or the error's SQLSTATE, so a failure reads as the code.
 */
const url = process.env.TEST_DATABASE_URL;

const outcome = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: { code?: string; message?: string }) => e.code ?? e.message ?? String(e),
  );

describe.skipIf(!url)('named statements, hostile, on PostgreSQL', () => {
  const schema = `t_nhost_${randomBytes(5).toString('hex')}`;
  let admin: ConnectedDb;
  beforeAll(async () => {
    admin = await connect({ databaseUrl: url!, poolSize: 1 });
    await sql`create schema ${sql.id(schema)}`.execute(admin.db);
  });
  afterAll(async () => {
    await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(admin.db);
    await admin.close();
  });
  /** One connection, so every statement of a test meets the same session's prepared statements. */
  const open = (namedStatements?: boolean, timeoutMs?: number) =>
    connect({ databaseUrl: url!, schema, poolSize: 1, ...(namedStatements === undefined ? {} : { namedStatements }), ...(timeoutMs ? { timeoutMs } : {}) });
  const table = async (db: Kysely<Database>) => {
    const name = `n_${randomBytes(4).toString('hex')}`;
    await sql`create table ${sql.id(name)} (a int primary key)`.execute(db);
    await sql`insert into ${sql.id(name)} values (1), (2)`.execute(db);
    return name;
  };

  describe.each([
    ['named (the default)', undefined],
    ['unnamed (DATABASE_PREPARED_STATEMENTS=off, the behaviour before)', false],
  ] as const)('a column whose type a migration changed, %s', (_label, namedStatements) => {
    it('should insert a value beyond int4 once a migration widened the column to bigint', async () => {
      const db = await open(namedStatements);
      try {
        const t = await table(db.db);
        const insert = (v: number) => sql`insert into ${sql.id(t)} (a) values (${v})`.execute(db.db);
        for (const v of [10, 11, 12]) await insert(v);
        await sql`alter table ${sql.id(t)} alter column a type bigint`.execute(db.db);
        // Named: 22003 "value "3000000000" is out of range for type integer", every time, on this connection.
        const outcomes = [await outcome(insert(3_000_000_000)), await outcome(insert(3_000_000_001)), await outcome(insert(3_000_000_002))];
        expect(outcomes).toEqual(['ok', 'ok', 'ok']);
      } finally {
        await db.close();
      }
    });
    it('should read by a column a migration turned from int into text', async () => {
      const db = await open(namedStatements);
      try {
        const t = await table(db.db);
        const read = (v: string) => sql<{ a: string }>`select a from ${sql.id(t)} where a = ${v}`.execute(db.db);
        for (let i = 0; i < 3; i++) await read('1');
        await sql`alter table ${sql.id(t)} alter column a type text`.execute(db.db);
        // Named: 42883 "operator does not exist: text = integer", every time, on this connection.
        const outcomes = [await outcome(read('1')), await outcome(read('2')), await outcome(read('1'))];
        expect(outcomes).toEqual(['ok', 'ok', 'ok']);
        expect((await read('2')).rows).toEqual([{ a: '2' }]);
      } finally {
        await db.close();
      }
    });
  });

  it('should keep a named statement usable in a transaction after one call failed on a value pg cannot serialise', async () => {
    const db = await open();
    try {
      const read = (on: Kysely<Database>, v: unknown) => sql<{ k: string }>`select (${v}::jsonb) ->> 'k' as k`.execute(on);
      expect((await read(db.db, { k: 'a' })).rows).toEqual([{ k: 'a' }]);
      expect((await read(db.db, { k: 'b' })).rows).toEqual([{ k: 'b' }]); // named, prepared on this connection
      const circular: Record<string, unknown> = { k: 'c' };
      circular.self = circular;
      await expect(read(db.db, circular)).rejects.toThrow(/circular/i); // the caller's error, as it should be
      // pg sent Close for the statement but still lists it as parsed: Bind meets 26000 inside the transaction.
      const inside = await outcome(db.db.transaction().execute((trx) => read(trx, { k: 'd' })));
      expect(inside).toBe('ok');
    } finally {
      await db.close();
    }
  });

  // Guards (expected to pass): the risks the brief names that pg 8.23 and the change do handle.
  it('should prepare a statement whose Parse failed (no table yet) once the table exists, in and out of a transaction', async () => {
    const db = await open();
    try {
      const name = `late_${randomBytes(4).toString('hex')}`;
      const read = (on: Kysely<Database>) => sql<{ a: number }>`select a from ${sql.id(name)} where a = ${1}`.execute(on);
      await expect(read(db.db)).rejects.toMatchObject({ code: '42P01' }); // unnamed
      await expect(read(db.db)).rejects.toMatchObject({ code: '42P01' }); // named: Parse fails
      await sql`create table ${sql.id(name)} (a int)`.execute(db.db);
      await sql`insert into ${sql.id(name)} values (1)`.execute(db.db);
      expect((await db.db.transaction().execute((trx) => read(trx))).rows).toEqual([{ a: 1 }]);
      expect((await read(db.db)).rows).toEqual([{ a: 1 }]);
    } finally {
      await db.close();
    }
  });
  it('should answer correctly on the next statement after a named statement timed out', { timeout: 20_000 }, async () => {
    const db = await open(undefined, 1_000);
    try {
      const sleep = (s: number, on: Kysely<Database> = db.db) => sql<{ s: number }>`select ${s}::float8 as s from pg_sleep(${s}::float8)`.execute(on);
      await sleep(0);
      await sleep(0);
      await expect(sleep(3)).rejects.toThrow(/timeout/i);
      expect((await sleep(0.01)).rows).toEqual([{ s: 0.01 }]);
      expect((await db.db.transaction().execute((trx) => sleep(0.02, trx))).rows).toEqual([{ s: 0.02 }]);
      // In a transaction: the timed-out connection is dropped at the rollback's release, the next one prepares afresh.
      await expect(db.db.transaction().execute(async (trx) => (await sleep(0, trx), await sleep(3, trx)))).rejects.toThrow(/timeout/i);
      expect((await db.db.transaction().execute((trx) => sleep(0.03, trx))).rows).toEqual([{ s: 0.03 }]);
    } finally {
      await db.close();
    }
  });
  it('should never retry a statement that met a changed result inside a transaction (the retry would run in the aborted one)', async () => {
    const db = await open();
    try {
      const t = await table(db.db);
      const read = (on: Kysely<Database>) => sql<Record<string, unknown>>`select * from ${sql.id(t)} where a = ${2}`.execute(on);
      for (let i = 0; i < 3; i++) await read(db.db);
      await sql`alter table ${sql.id(t)} add column b int default 5`.execute(db.db);
      const code = await outcome(
        db.db.transaction().execute(async (trx) => {
          await sql`insert into ${sql.id(t)} values (${9}, ${9})`.execute(trx);
          return read(trx);
        }),
      );
      // 0A000 is the honest error; 25P02 would mean a retry was sent into the aborted transaction.
      expect(code).toBe('0A000');
      expect((await read(db.db)).rows).toEqual([{ a: 2, b: 5 }]);
      expect((await sql<{ n: number }>`select count(*)::int as n from ${sql.id(t)} where a = ${9}`.execute(db.db)).rows).toEqual([{ n: 0 }]);
    } finally {
      await db.close();
    }
  });
  it('should answer a changed select * on two connections that both had it prepared, outside transactions', async () => {
    const db = await connect({ databaseUrl: url!, schema, poolSize: 3 });
    try {
      const t = await table(db.db);
      const read = () => sql<Record<string, unknown>>`select * from ${sql.id(t)} where a = ${1}`.execute(db.db);
      // Side by side, so more than one pooled connection prepares it.
      for (let i = 0; i < 3; i++) await Promise.all([read(), read(), read()]);
      await sql`alter table ${sql.id(t)} add column c text default 'z'`.execute(db.db);
      const rows = await Promise.all([read(), read(), read()]);
      expect(rows.map((r) => r.rows)).toEqual([[{ a: 1, c: 'z' }], [{ a: 1, c: 'z' }], [{ a: 1, c: 'z' }]]);
    } finally {
      await db.close();
    }
  });
  it('should keep the claim session working, locks taken once, after it lost its statements, with statements side by side', async () => {
    const db = await open();
    const session = await db.openSession!();
    try {
      const lock = (k: number) => sql<{ got: boolean }>`select pg_try_advisory_lock(${4242}::int, ${k}::int) as got`.execute(session.db);
      const add = (n: number) => sql<{ n: number }>`select ${n}::int + 1 as n`.execute(session.db);
      for (let i = 0; i < 3; i++) await Promise.all([lock(i), add(i), add(i + 10)]);
      await sql`deallocate all`.execute(session.db);
      // Three lanes side by side on the one client: each meets 26000; the first renames, each retries under the new name.
      const [l, a, b] = await Promise.all([lock(7), add(1), add(2)]);
      expect([l.rows, a.rows, b.rows]).toEqual([[{ got: true }], [{ n: 2 }], [{ n: 3 }]]);
      const held = await sql<{ n: number }>`select count(*)::int as n from pg_locks where locktype = 'advisory' and classid = ${4242} and objid = ${7} and pid = pg_backend_pid()`.execute(session.db);
      expect(held.rows).toEqual([{ n: 1 }]);
      // A session-level advisory lock is re-entrant: taken twice it would need two unlocks.
      const unlocked = await sql<{ a: boolean; b: boolean }>`select pg_advisory_unlock(4242, 7) as a, pg_advisory_unlock(4242, 7) as b`.execute(session.db);
      expect(unlocked.rows).toEqual([{ a: true, b: false }]);
      expect(session.broken).toBe(false);
    } finally {
      await session.close();
      await db.close();
    }
  });
});
