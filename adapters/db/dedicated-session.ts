import type pgModule from 'pg';
import type { PostgresPool, PostgresPoolClient } from 'kysely';
import type { DedicatedSession } from '../../src/db/db.port.js';
import type { Database } from '../../src/db/tables.js';

/**
 * A PostgreSQL session of its own (one pg.Client, never pooled), behind a Kysely of its own: the
 * dispatcher's advisory locks live on it (src/delivery/claim-locks.ts). Kysely sees a "pool"
 * that always lends this one client and never gives it back to anyone else. The session counts
 * as broken once the connection errs or ends, or a statement on it fails for the connection's
 * sake: its locks are then gone, and the dispatcher opens another.
 */
export async function openDedicatedSession(pg: typeof pgModule, config: pgModule.ClientConfig): Promise<DedicatedSession> {
  const { Kysely, PostgresDialect } = await import('kysely');
  // Named in pg_stat_activity, so an operator (or a test) sees whose claims a session holds.
  const client = new pg.Client({ ...config, application_name: `kooperator claims ${process.pid}` });
  let broken = false;
  let ended = false;
  client.on('error', () => void (broken = true));
  client.on('end', () => void (broken = ended = true));
  await client.connect();
  const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
  const query = ((...args: unknown[]) => {
    const result = (client.query as (...a: unknown[]) => unknown)(...args);
    if (result instanceof Promise) {
      return result.catch((error: unknown) => {
        // A statement that timed out leaves the connection waiting for an answer: unusable.
        if (error instanceof Error && /timeout|terminat|Connection|not queryable|ECONN/i.test(error.message)) broken = true;
        throw error;
      });
    }
    return result;
  }) as PostgresPoolClient['query'];
  const lent: PostgresPoolClient = { query, release: () => undefined };
  const pool: PostgresPool = { connect: async () => lent, end: async () => undefined };
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    pid: Number(rows[0]!.pid),
    get broken() {
      return broken;
    },
    close: async () => {
      broken = true;
      await db.destroy();
      // end() on a connection that already ended would wait for an 'end' that came before.
      if (!ended) await Promise.race([client.end().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
    },
  };
}
