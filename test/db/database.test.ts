import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { connect } from '../../adapters/db/connect.js';
import type { Db } from '../../src/db/db.port.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { migrations } from '../../migrations/index.js';
import { dialects, dropSchemaGuarded, freshDatabase, withSchemaGuard } from '../support/databases.js';

describe.each(dialects)('database on %s', (kind) => {
  let db: Db;
  afterEach(async () => db?.close());

  it('should apply every migration and report nothing pending the second time', async () => {
    db = await freshDatabase(kind);
    expect(await migrateToLatest(db.db)).toEqual([]);
    const version = await db.db.selectFrom('data_version').select('version').executeTakeFirstOrThrow();
    expect(version.version).toBe(1);
  });

  it('should give counts as numbers and dates as YYYY-MM-DD strings on both drivers', async () => {
    db = await freshDatabase(kind);
    const row = await sql<{ n: number; d: string }>`select (select count(*) from teams) as n, date '2027-03-09' as d`.execute(db.db);
    expect(row.rows[0]).toEqual({ n: 0, d: '2027-03-09' });
  });

  it('should keep concurrent transactions apart: a rollback in one leaves the other alone', async () => {
    db = await freshDatabase(kind);
    const insertTeam = (id: string) => db.db.insertInto('teams').values({ id, name: id, area: 'gmina', timezone: 'Europe/Warsaw', source: 't.yaml' }).execute();
    const failing = db.db.transaction().execute(async (trx) => {
      await trx.insertInto('teams').values({ id: 'doomed', name: 'x', area: 'gmina', timezone: 'Europe/Warsaw', source: 't.yaml' }).execute();
      await new Promise((r) => setTimeout(r, 20));
      throw new Error('roll back');
    });
    const succeeding = db.db.transaction().execute(async (trx) => {
      await trx.insertInto('teams').values({ id: 'kept', name: 'x', area: 'gmina', timezone: 'Europe/Warsaw', source: 't.yaml' }).execute();
    });
    await expect(failing).rejects.toThrow('roll back');
    await succeeding;
    await insertTeam('after');
    const ids = (await db.db.selectFrom('teams').select('id').orderBy('id').execute()).map((t) => t.id);
    expect(ids).toEqual(['after', 'kept']);
  });
});

describe.runIf(process.env.TEST_DATABASE_URL)('migrations on PostgreSQL', () => {
  it('should let two replicas migrate the same empty database at once without colliding', async () => {
    const url = process.env.TEST_DATABASE_URL!;
    const schema = `t_race_${Date.now().toString(36)}`;
    const admin = await connect({ databaseUrl: url, poolSize: 1 });
    await sql`create schema ${sql.id(schema)}`.execute(admin.db);
    const a = await connect({ databaseUrl: url, schema });
    const b = await connect({ databaseUrl: url, schema });
    try {
      const [ra, rb] = await withSchemaGuard(admin, () => Promise.all([migrateToLatest(a.db), migrateToLatest(b.db)]));
      // Exactly one of them ran the migrations; the other waited on the advisory lock and found nothing to do.
      expect([ra?.length, rb?.length].sort()).toEqual([0, Object.keys(migrations).length]);
      const tables = await sql<{ n: number }>`select count(*)::int as n from information_schema.tables where table_schema = ${schema}`.execute(admin.db);
      expect(tables.rows[0]!.n).toBeGreaterThan(10);
    } finally {
      await a.close();
      await b.close();
      await dropSchemaGuarded(admin, schema);
      await admin.close();
    }
  });
});
