import { describe, expect, it } from 'vitest';
import { LockWaitTimeoutError, waitsForOthers } from '../../adapters/db/pg-pool.js';
import { loadConfig } from '../../src/config.js';
import { operatorMessage } from '../../src/operator-errors.js';

// Which statements the PostgreSQL time limit (DATABASE_TIMEOUT_SECONDS) leaves to wait for others.
describe('statements that wait for another session', () => {
  it.each([
    'select pg_advisory_xact_lock(3853314791062309107)',
    'select pg_advisory_lock(1)',
    'select * from "activities" where "id" = $1 for update',
    'select * from people for no key update',
    'create index foo on bar (baz)',
    '  alter table "deliveries" add column "x" text',
  ])('should not cut %j at the time limit', (text) => expect(waitsForOthers(text)).toBe(true));

  it.each([
    'select 1',
    'select * from deliveries where state = $1 for update skip locked',
    'update "activities" set "title" = $1',
    'select pg_advisory_unlock(1)',
  ])('should keep the time limit on %j', (text) => expect(waitsForOthers(text)).toBe(false));

  it('should not blame the network when a lock is held too long or the server cancels a statement', () => {
    const config = loadConfig({ DATA_DIR: '/tmp', APP_SECRET: 'r'.repeat(40), DATABASE_URL: 'postgres://k:secret@db:5432/k' });
    expect(operatorMessage(new LockWaitTimeoutError('select pg_advisory_xact_lock(1)'), config)).toMatch(/^DATABASE_URL: .*answers.*lock/);
    const cancelled = Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' });
    expect(operatorMessage(cancelled, config)).toMatch(/cancelled a statement/);
    expect(operatorMessage(new Error('Query read timeout'), config)).toMatch(/did not answer in time/);
  });
});

describe.skipIf(!process.env.TEST_DATABASE_URL)('a migration under its lock on PostgreSQL', () => {
  it('should not be cut at the time limit by a slow statement after the lock', { timeout: 30_000 }, async () => {
    const { connect } = await import('../../adapters/db/connect.js');
    const { sql } = await import('kysely');
    const db = await connect({ databaseUrl: process.env.TEST_DATABASE_URL!, poolSize: 1, timeoutMs: 1_000 });
    try {
      await db.db.transaction().execute(async (trx) => {
        await sql`select pg_advisory_xact_lock(${sql.lit(7081462593123)})`.execute(trx);
        await sql`select pg_sleep(1.5)`.execute(trx);
      });
      // Outside such a transaction the limit holds again.
      await expect(sql`select pg_sleep(1.5)`.execute(db.db)).rejects.toThrow(/timeout/i);
    } finally {
      await db.close();
    }
  });
});
