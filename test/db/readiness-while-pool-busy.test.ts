import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { connect } from '../../adapters/db/connect.js';
import { isReachable } from '../../src/db/db.port.js';

/**
 * Review: /readyz asks isReachable (db.port.ts: `select 1` within 2 s) through the same pool
 * as the work (10 connections, connect.ts). When the pool is busy, say ten transactions of
 * 3 s (a confirmed announcement to a region, an import, a slow disk), the check waits for a
 * free connection, and the replica says 503 "database unreachable" while PostgreSQL answers
 * at once: under load every replica leaves the load balancer together. Readiness should not
 * queue behind the work (its own connection, or "busy" counted as ready).
 */
const url = process.env.TEST_DATABASE_URL;

describe.skipIf(!url)('Review: readiness while every pooled connection is busy', () => {
  it('should say reachable while PostgreSQL answers, though the pool is busy for 3 s', { timeout: 30_000 }, async () => {
    const db = await connect({ databaseUrl: url! });
    try {
      await isReachable(db.db);
      const work = Promise.all(Array.from({ length: 10 }, () => sql`select pg_sleep(3)`.execute(db.db)));
      await new Promise((resolve) => setTimeout(resolve, 200));
      const reachable = await isReachable(db.db);
      await work;
      expect(reachable).toBe(true);
    } finally {
      await db.close();
    }
  });
});
