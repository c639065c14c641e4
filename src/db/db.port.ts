import { sql, type Kysely } from 'kysely';
import type { Database } from './tables.js';

export type DbKind = 'pglite' | 'postgres';

/** An open database: the core only ever sees Kysely, never the driver behind it. */
export interface Db {
  readonly kind: DbKind;
  readonly db: Kysely<Database>;
  close(): Promise<void>;
  /** PostgreSQL: a connection of its own, outside the pool (the dispatcher's claims live on it). */
  openSession?(): Promise<DedicatedSession>;
}

/**
 * One database session held until closed: session advisory locks taken on it stay until they
 * are unlocked or the session ends (closed, or its process or connection gone). Never pooled:
 * a pooled connection would carry its locks to whoever borrows it next.
 */
export interface DedicatedSession {
  readonly db: Kysely<Database>;
  /** The session's backend process id, as pg_locks names it. */
  readonly pid: number;
  /** True once the connection broke or was closed: its locks are gone. */
  readonly broken: boolean;
  close(): Promise<void>;
}

// A way to ask the database that does not queue behind the work (PostgreSQL: its own connection).
const probes = new WeakMap<Kysely<Database>, () => Promise<unknown>>();

/**
 * Gives the health check its own way to the database. Through the work's pool, a pool busy with
 * long transactions would look like a database gone, and every replica would leave the load
 * balancer at once under load.
 */
export function registerReachabilityProbe(db: Kysely<Database>, probe: () => Promise<unknown>): void {
  probes.set(db, probe);
}

/** True when the database answers within the time limit (health checks). */
export async function isReachable(db: Kysely<Database>, timeoutMs = 2000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
  const ask = probes.get(db) ?? (() => sql`select 1`.execute(db));
  try {
    return await Promise.race([ask().then(() => true), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
