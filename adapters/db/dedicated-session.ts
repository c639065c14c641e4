import type pgModule from 'pg';
import type { PostgresPool, PostgresPoolClient } from 'kysely';
import type { DedicatedSession } from '../../src/db/db.port.js';
import type { Database } from '../../src/db/tables.js';
import { sendQuery, statementNames } from './named-statements.js';

/**
 * A PostgreSQL session of its own (one pg.Client, never pooled), behind a Kysely of its own: the
 * dispatcher's advisory locks live on it (src/delivery/claim-locks.ts). Kysely sees a "pool"
 * that always lends this one client and never gives it back to anyone else. The session counts
 * as broken once the connection errs or ends, or a statement on it fails for the connection's
 * sake: its locks are then gone, and the dispatcher opens another.
 */
/**
 * What makes a vanished host's session (powered off, partitioned: nothing closes its TCP
 * connection) end on the server within about REPLICA_TIMEOUT_SECONDS, and with it its claims:
 * - server-side TCP keep-alive (probe after 5 s idle, every 5 s, give up after timeout/5 - 1
 *   probes) and tcp_user_timeout = the timeout (unacknowledged data): the server's kernel
 *   notices a dead peer instead of after the Linux default of over two hours;
 * - idle_session_timeout = the timeout, with this side pinging every few seconds: a peer that
 *   still acknowledges TCP but sends nothing (a frozen machine, a hung proxy) is cut too.
 * All are settable per session by any user (idle_session_timeout from PostgreSQL 14; older
 * servers refuse it, and the keep-alives still apply).
 */
export function sessionTimeouts(replicaTimeoutMs: number): { settings: [string, string][]; pingMs: number } {
  const timeoutS = Math.max(10, Math.round(replicaTimeoutMs / 1000));
  const idle = 5;
  const interval = 5;
  const count = Math.max(1, Math.floor((timeoutS - idle) / interval));
  return {
    settings: [
      ['tcp_keepalives_idle', String(idle)],
      ['tcp_keepalives_interval', String(interval)],
      ['tcp_keepalives_count', String(count)],
      ['tcp_user_timeout', String(timeoutS * 1000)],
      ['idle_session_timeout', String(timeoutS * 1000)],
    ],
    pingMs: Math.min(5_000, Math.floor((timeoutS * 1000) / 3)),
  };
}

export async function openDedicatedSession(
  pg: typeof pgModule,
  config: pgModule.ClientConfig,
  limits: { replicaTimeoutMs: number; namedStatements?: boolean } = { replicaTimeoutMs: 30_000 },
): Promise<DedicatedSession> {
  const names = limits.namedStatements === false ? undefined : statementNames;
  const { Kysely, PostgresDialect } = await import('kysely');
  // Named in pg_stat_activity, so an operator (or a test) sees whose claims a session holds.
  const client = new pg.Client({ ...config, application_name: `kooperator claims ${process.pid}` });
  let broken = false;
  let ended = false;
  let ping: NodeJS.Timeout | undefined;
  client.on('error', () => void (broken = true));
  client.on('end', () => {
    broken = ended = true;
    clearInterval(ping);
  });
  await client.connect();
  const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
  const { settings, pingMs } = sessionTimeouts(limits.replicaTimeoutMs);
  for (const [name, value] of settings) {
    // A server too old for one (idle_session_timeout before 14) keeps the others.
    await client.query('select set_config($1, $2, false)', [name, value]).catch(() => undefined);
  }
  const query = ((...args: unknown[]) => {
    // The dispatcher's claims repeat the same few statements: named, as on the pool (named-statements.ts).
    const result = sendQuery(client, names, args);
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
  // Never idle for idle_session_timeout while this side lives (see sessionTimeouts).
  ping = setInterval(() => {
    if (!broken) void client.query('select 1').catch(() => undefined);
  }, pingMs);
  ping.unref();
  return {
    db,
    pid: Number(rows[0]!.pid),
    get broken() {
      return broken;
    },
    close: async () => {
      broken = true;
      clearInterval(ping);
      await db.destroy();
      // end() on a connection that already ended would wait for an 'end' that came before.
      if (!ended) await Promise.race([client.end().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
    },
  };
}
