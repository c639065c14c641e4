import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Dialect, Driver, Kysely } from 'kysely';
import type { Database } from '../../src/db/tables.js';

import { registerReachabilityProbe, type Db } from '../../src/db/db.port.js';
import { DataVersionWatch, registerDataVersionWatch } from '../../src/db/data-version-watch.js';
import { seeingOwnCommits } from './own-commits.js';
import { connectionLimits, resilientPool } from './pg-pool.js';
import { DEFAULT_REPLICA_TIMEOUT_MS } from '../../src/delivery/replica-timeouts.js';
import { openDedicatedSession } from './dedicated-session.js';
import { pgNotifications, pgliteNotifications } from './version-notifications.js';

// Both drivers must hand back the same JavaScript types: bigint counts as numbers,
// and dates (no time) as 'YYYY-MM-DD' strings rather than Dates at a process-zone midnight.
const INT8 = 20;
const DATE = 1082;
const NUMERIC = 1700;

/** pg is loaded only for PostgreSQL: the embedded default never needs it. */
async function loadPg() {
  const { default: pg } = await import('pg');
  pg.types.setTypeParser(INT8, (value: string) => Number(value));
  pg.types.setTypeParser(NUMERIC, (value: string) => Number(value));
  pg.types.setTypeParser(DATE, (value: string) => value);
  return pg;
}

export interface ConnectOptions {
  databaseUrl?: string;
  /** Folder of the embedded database; undefined with no databaseUrl means in memory. */
  pgliteDir?: string;
  /** Sets search_path on every PostgreSQL connection (tests isolate themselves in a schema). */
  schema?: string;
  poolSize?: number;
  /** PostgreSQL: how long connecting and each query may take (default 30 s). */
  timeoutMs?: number;
  /** PostgreSQL: a pooled connection broke while idle; the pool replaces it (default: ignored). */
  onConnectionError?: (error: Error) => void;
  /** Start the embedded database from a `dumpDataDir` snapshot (tests: 0.3 s instead of 2–3 s). */
  pgliteSnapshot?: Blob;
  /** PGlite: shared_buffers in MB (default PGLITE_SHARED_BUFFERS_MB, the service's default too). */
  pgliteSharedBuffersMb?: number;
  /** PostgreSQL: REPLICA_TIMEOUT_SECONDS in ms (default 30 s): a vanished host's claim session ends within it (dedicated-session.ts). */
  replicaTimeoutMs?: number;
  /** PostgreSQL: send repeated statements under names, prepared once per connection (default true; adapters/db/named-statements.ts). */
  namedStatements?: boolean;
  /** Test-only seam: wraps the driver (test/support/faults.ts fails chosen queries through it). */
  wrapDriver?: (driver: Driver) => Driver;
}

/** PGlite's shared_buffers when none is given: the default of the PGLITE_SHARED_BUFFERS_MB setting (src/config.ts). */
export const PGLITE_SHARED_BUFFERS_MB = 32;

/**
 * PGlite's start parameters: its own, and memory settings. Everything PostgreSQL allocates lives
 * in the WASM memory, which grows to the largest working set and never gives memory back; with
 * PostgreSQL's defaults 128 MB of shared_buffers alone became resident under load (issue 17,
 * docs/operations.md#memory). In single-user mode there is one backend, so per-connection and
 * sort memory stay PostgreSQL's defaults; only the shared pool is made small.
 */
export function pgliteStartParams(defaults: readonly string[], sharedBuffersMb = PGLITE_SHARED_BUFFERS_MB): string[] {
  return [...defaults, '-c', `shared_buffers=${sharedBuffersMb}MB`];
}

/** The dialect with its driver passed through the test seam, when one is given. */
function seamed(dialect: Dialect, wrapDriver: ConnectOptions['wrapDriver']): Dialect {
  if (!wrapDriver) return dialect;
  return {
    createAdapter: () => dialect.createAdapter(),
    createDriver: () => wrapDriver(dialect.createDriver()),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createQueryCompiler: () => dialect.createQueryCompiler(),
  };
}

/** An open database; the embedded one can also be dumped (tests restore it instead of re-creating). */
export interface ConnectedDb extends Db {
  snapshot?: () => Promise<Blob>;
}

export async function connect(options: ConnectOptions): Promise<ConnectedDb> {
  if (options.databaseUrl) {
    const [pg, { Kysely, PostgresDialect }] = await Promise.all([loadPg(), import('kysely')]);
    const timeoutMs = options.timeoutMs ?? 30_000;
    const clientConfig = { connectionString: options.databaseUrl, ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}) };
    const pool = resilientPool(pg, clientConfig, { timeoutMs, max: options.poolSize ?? 10, onError: options.onConnectionError ?? (() => undefined), namedStatements: options.namedStatements });
    const notifications = pgNotifications(pg, { ...clientConfig, ...connectionLimits(timeoutMs) });
    const watch = new DataVersionWatch(notifications);
    // Our own commits' versions are read back under the test seam: a fault fails our statements, not that read.
    const dialect = seamed(seamed(new PostgresDialect({ pool }), (driver) => seeingOwnCommits(driver, watch, { readInCommit: true })), options.wrapDriver);
    const db = new Kysely<Database>({ dialect, plugins: [watch] });
    registerDataVersionWatch(db, watch);
    // /readyz asks on a connection of its own: the work's pool may be busy without the database being gone.
    const probe = new pg.Pool({ ...clientConfig, ...connectionLimits(Math.min(timeoutMs, 5_000)), max: 1 });
    probe.on('error', () => undefined);
    registerReachabilityProbe(db, () => probe.query('select 1'));
    const openSession = () => openDedicatedSession(pg, { ...clientConfig, ...connectionLimits(timeoutMs) }, { replicaTimeoutMs: options.replicaTimeoutMs ?? DEFAULT_REPLICA_TIMEOUT_MS, namedStatements: options.namedStatements });
    return { kind: 'postgres', db, openSession, close: async () => (await notifications.close(), await probe.end(), await db.destroy()) };
  }
  // PGlite's start-up (WASM) is the slow part of opening: start it first, load Kysely meanwhile.
  const kysely = Promise.all([import('kysely'), import('./pglite-dialect.js')]);
  kysely.catch(() => undefined);
  const { PGlite } = await import('@electric-sql/pglite');
  let dataDir: string | undefined;
  if (options.pgliteDir) {
    mkdirSync(options.pgliteDir, { recursive: true });
    dataDir = join(options.pgliteDir, 'pglite');
  }
  const pglite = await PGlite.create(dataDir, {
    ...(options.pgliteSnapshot ? { loadDataDir: options.pgliteSnapshot } : {}),
    startParams: pgliteStartParams(PGlite.defaultStartParams, options.pgliteSharedBuffersMb),
    parsers: { [INT8]: (v: string) => Number(v), [NUMERIC]: (v: string) => Number(v), [DATE]: (v: string) => v },
  });
  const [{ Kysely }, { PGliteDialect }] = await kysely;
  const watch = new DataVersionWatch(pgliteNotifications(pglite, () => db));
  const dialect = seamed(seamed(new PGliteDialect(pglite), (driver) => seeingOwnCommits(driver, watch)), options.wrapDriver);
  const db: Kysely<Database> = new Kysely<Database>({ dialect, plugins: [watch] });
  registerDataVersionWatch(db, watch);
  return { kind: 'pglite', db, close: () => db.destroy(), snapshot: () => pglite.dumpDataDir('none') };
}

