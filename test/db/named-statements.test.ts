import { randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type ConnectedDb } from '../../adapters/db/connect.js';
import { MAX_PARAMETERS, MAX_RENAMES, StatementNames } from '../../adapters/db/named-statements.js';
import type { Database } from '../../src/db/tables.js';

/**
 * Repeated statements go to PostgreSQL under names (adapters/db/named-statements.ts): parsed once
 * per connection, their plans reusable. What must hold besides: a schema change under a prepared
 * `select *`, or a session that lost its prepared statements, costs at most a failed transaction,
 * never a wrong answer or a stuck statement.
 */
describe('which statements get a name', () => {
  it('should name a text the second time it is seen, not the first', () => {
    const names = new StatementNames();
    expect(names.nameFor('select $1', 1)).toBeUndefined();
    const name = names.nameFor('select $1', 1);
    expect(name).toMatch(/^kooperator_/);
    expect(names.nameFor('select $1', 1)).toBe(name);
    expect(names.nameFor('select $1 + 1', 1)).toBeUndefined();
  });
  it('should leave statements without values, and with many, unnamed', () => {
    const names = new StatementNames();
    const many = Array.from({ length: MAX_PARAMETERS + 1 }, (_, i) => `$${i + 1}`).join(',');
    for (let i = 0; i < 3; i++) {
      expect(names.nameFor('begin', 0)).toBeUndefined();
      expect(names.nameFor(`select ${many}`, MAX_PARAMETERS + 1)).toBeUndefined();
    }
    expect(names.size).toBe(0);
  });
  it('should leave lists of four values or more unnamed (a text per length), and name shorter ones', () => {
    const names = new StatementNames();
    const twice = (text: string, n: number) => (names.nameFor(text, n), names.nameFor(text, n));
    expect(twice('select * from people where id in ($1, $2, $3, $4)', 4)).toBeUndefined();
    expect(twice('insert into t (a, b) values ($1, $2), ($3, $4)', 4)).toBeDefined();
    expect(twice('insert into t (a, b, c, d) values ($1, $2, $3, $4)', 4)).toBeUndefined();
    expect(twice('select * from people where id in ($1, $2, $3)', 3)).toBeDefined();
    expect(twice('select * from people where id = $1 and team_id = $2 and role = $3 and x = $4', 4)).toBeDefined();
  });
  it('should stop naming new texts at its bound, and keep the names it gave', () => {
    const names = new StatementNames(2);
    const twice = (text: string) => (names.nameFor(text, 1), names.nameFor(text, 1));
    const a = twice('select $1 as a');
    const b = twice('select $1 as b');
    expect(twice('select $1 as c')).toBeUndefined();
    expect([twice('select $1 as a'), twice('select $1 as b')]).toEqual([a, b]);
  });
  it('should give a text a new name when its statement no longer fits, once for several connections meeting it', () => {
    const names = new StatementNames();
    const text = 'select * from t where a = $1';
    names.nameFor(text, 1);
    const first = names.nameFor(text, 1)!;
    const second = names.renamed(text, first)!;
    expect(second).not.toBe(first);
    expect(names.renamed(text, first)).toBe(second);
    expect(names.nameFor(text, 1)).toBe(second);
    expect(names.size).toBe(1);
  });
  it('should send a text unnamed for good once it went stale again and again', () => {
    const names = new StatementNames();
    const text = 'select * from t where a = $1';
    names.nameFor(text, 1);
    let name = names.nameFor(text, 1);
    for (let i = 0; i < MAX_RENAMES; i++) name = names.renamed(text, name!);
    expect(name).toBeDefined();
    expect(names.renamed(text, name!)).toBeUndefined();
    expect(names.nameFor(text, 1)).toBeUndefined();
  });
  it('should name a text alike in every process, and different texts differently', () => {
    const twice = (names: StatementNames, text: string) => (names.nameFor(text, 1), names.nameFor(text, 1)!);
    const [a, b] = [new StatementNames(), new StatementNames()];
    expect(twice(a, 'select $1 as x')).toBe(twice(b, 'select $1 as x'));
    expect(twice(a, 'select $1 as y')).not.toBe(twice(b, 'select $1 as z'));
  });
});

const url = process.env.TEST_DATABASE_URL;

describe.skipIf(!url)('named statements on PostgreSQL', () => {
  const schema = `t_named_${randomBytes(5).toString('hex')}`;
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
  const open = (namedStatements?: boolean) => connect({ databaseUrl: url!, schema, poolSize: 1, ...(namedStatements === undefined ? {} : { namedStatements }) });
  const table = async (db: Kysely<Database>) => {
    const name = `n_${randomBytes(4).toString('hex')}`;
    await sql`create table ${sql.id(name)} (a int primary key)`.execute(db);
    await sql`insert into ${sql.id(name)} values (1), (2)`.execute(db);
    return name;
  };
  const prepared = async (db: Kysely<Database>, like: string) =>
    (await sql<{ statement: string }>`select statement from pg_prepared_statements where statement like ${`%${like}%`}`.execute(db)).rows.map((r) => r.statement);

  it('should prepare a repeated statement once on its connection', async () => {
    const db = await open();
    try {
      const t = await table(db.db);
      const read = () => sql<{ a: number }>`select a from ${sql.id(t)} where a = ${2}`.execute(db.db);
      for (let i = 0; i < 4; i++) expect((await read()).rows).toEqual([{ a: 2 }]);
      expect(await prepared(db.db, t)).toEqual([`select a from "${t}" where a = $1`]);
    } finally {
      await db.close();
    }
  });
  it('should send every statement unnamed when turned off', async () => {
    const db = await open(false);
    try {
      const t = await table(db.db);
      for (let i = 0; i < 4; i++) await sql`select a from ${sql.id(t)} where a = ${2}`.execute(db.db);
      expect(await prepared(db.db, t)).toEqual([]);
    } finally {
      await db.close();
    }
  });
  it('should answer a prepared select * with the new column after a migration added one', async () => {
    const db = await open();
    try {
      const t = await table(db.db);
      const read = () => sql<Record<string, unknown>>`select * from ${sql.id(t)} where a = ${1}`.execute(db.db);
      for (let i = 0; i < 3; i++) await read();
      await sql`alter table ${sql.id(t)} add column b text default 'x'`.execute(db.db);
      expect((await read()).rows).toEqual([{ a: 1, b: 'x' }]);
      expect((await read()).rows).toEqual([{ a: 1, b: 'x' }]);
    } finally {
      await db.close();
    }
  });
  it('should prepare again a statement the session lost (DEALLOCATE ALL, a pooler switching connections)', async () => {
    const db = await open();
    try {
      const t = await table(db.db);
      const read = () => sql<{ a: number }>`select a from ${sql.id(t)} where a = ${2}`.execute(db.db);
      for (let i = 0; i < 3; i++) await read();
      await sql`deallocate all`.execute(db.db);
      expect((await read()).rows).toEqual([{ a: 2 }]);
      expect(await prepared(db.db, t)).toHaveLength(1);
    } finally {
      await db.close();
    }
  });
  it('should pass any other error of a named statement through unchanged', async () => {
    const db = await open();
    try {
      const divide = (by: number) => sql<{ q: number }>`select 1 / ${by}::int as q`.execute(db.db);
      await divide(1);
      await divide(1);
      await expect(divide(0)).rejects.toMatchObject({ code: '22012' });
      expect((await divide(1)).rows).toEqual([{ q: 1 }]);
    } finally {
      await db.close();
    }
  });
});
