import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { connect } from '../../adapters/db/connect.js';
import { migrateToLatest } from '../../src/db/migrate.js';

/**
 * Kysely reads the catalog of every schema before it migrates; a schema someone else drops
 * meanwhile (another app's, a parallel test's) ended that read with "schema … does not exist"
 * naming theirs, and our start failed (seen once in CI, migration-lock-wait-outlasts-timeout).
 * migrateToLatest reads again. Here schemas come and go as fast as the database allows while
 * fresh schemas of ours migrate (a drop every 20 ms or so: far more often than parallel tests).
 */
const url = process.env.TEST_DATABASE_URL;

describe.skipIf(!url)('migrating while other schemas are dropped', () => {
  it('should migrate every fresh schema of ours', { timeout: 120_000 }, async () => {
    const admin = await connect({ databaseUrl: url!, poolSize: 3 });
    let churning = true;
    const churn = (async () => {
      while (churning) {
        const other = `t_other_${randomBytes(5).toString('hex')}`;
        await sql`create schema ${sql.id(other)}`.execute(admin.db);
        await sql`create table ${sql.id(other, 'x')} (id int)`.execute(admin.db);
        await sql`drop schema ${sql.id(other)} cascade`.execute(admin.db);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const outcomes: string[] = [];
    try {
      for (let i = 0; i < 6; i++) {
        const schema = `t_ours_${randomBytes(5).toString('hex')}`;
        await sql`create schema ${sql.id(schema)}`.execute(admin.db);
        const db = await connect({ databaseUrl: url!, schema, poolSize: 2 });
        try {
          outcomes.push(await migrateToLatest(db.db).then(() => 'migrated', (error: Error) => `failed: ${error.message}`));
        } finally {
          await db.close();
          await sql`drop schema ${sql.id(schema)} cascade`.execute(admin.db);
        }
      }
    } finally {
      churning = false;
      await churn;
      await admin.close();
    }
    expect(outcomes).toEqual(Array(6).fill('migrated'));
  });
});
