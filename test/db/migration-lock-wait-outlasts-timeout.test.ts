import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { connect } from '../../adapters/db/connect.js';
import { migrateToLatest } from '../../src/db/migrate.js';

/**
 * Review: DATABASE_TIMEOUT_SECONDS (0746156) is pg's client-side query_timeout on every query
 * (pg-pool.ts connectionLimits), so it also ends waits for a lock, which mean the database is
 * busy, not gone. Kysely's migrator waits for its advisory lock up to an hour while another
 * replica migrates; here a replica whose migration lock is held for longer than the limit
 * fails to start (cli.ts then says "PostgreSQL … did not answer in time … firewall"). Seen
 * with a 1.5 s limit and the lock held 3 s; with the default 30 s, any migration longer than
 * that on a second replica. Lock waits (migrations, report numbers, FOR UPDATE) should not be
 * cut by the time limit meant for a dead database (statement_timeout/lock_timeout per use, or
 * no query_timeout on these).
 */
const url = process.env.TEST_DATABASE_URL;
const KYSELY_MIGRATION_LOCK = '3853314791062309107';

describe.skipIf(!url)('Review: a replica starting while another holds the migration lock', () => {
  it('should wait for the lock rather than fail at DATABASE_TIMEOUT_SECONDS', { timeout: 30_000 }, async () => {
    const schema = `t_review_${randomBytes(5).toString('hex')}`;
    const admin = await connect({ databaseUrl: url!, poolSize: 1 });
    await sql`create schema ${sql.id(schema)}`.execute(admin.db);
    const replica = await connect({ databaseUrl: url!, schema, poolSize: 2, timeoutMs: 1_500 });
    try {
      // The other replica, migrating for 3 s.
      await admin.db.connection().execute(async (other) => {
        await sql`select pg_advisory_lock(${sql.lit(BigInt(KYSELY_MIGRATION_LOCK))})`.execute(other);
        const release = new Promise<void>((resolve) => setTimeout(resolve, 3_000)).then(async () => {
          await sql`select pg_advisory_unlock(${sql.lit(BigInt(KYSELY_MIGRATION_LOCK))})`.execute(other);
        });
        const migrating = migrateToLatest(replica.db).then(() => 'migrated', (error: Error) => `failed: ${error.message}`);
        await release;
        expect(await migrating).toBe('migrated');
      });
    } finally {
      await replica.close();
      await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(admin.db);
      await admin.close();
    }
  });
});
