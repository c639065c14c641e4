import { type CompiledQuery, type DatabaseConnection, type Driver, type QueryResult, type TransactionSettings } from 'kysely';
import type { Clock } from '../../src/clock.js';
import type { Db, DbKind } from '../../src/db/db.port.js';
import { demoDatabase, freshDatabase } from './databases.js';

/**
 * Database fault injection for tests, on PGlite and PostgreSQL alike. The driver is wrapped
 * (a seam in adapters/db/connect.ts), so every statement is seen as the SQL sent, including
 * begin/commit/rollback, and whether it runs inside a transaction is known.
 *
 *   const { db, faults } = await faultyDatabase('pglite');
 *   faults.failFirst(/insert into "deliveries"/, { inTransaction: true });
 *   const writes = await faults.writesOf(() => flow(db));   // then fail each in turn
 */

/** One statement the database was asked to run (after the rules were consulted). */
export interface QueryRecord {
  sql: string;
  parameters: readonly unknown[];
  inTransaction: boolean;
  /** insert/update/delete (also inside a `with`), and commit: what changes stored data. */
  write: boolean;
  /** Set when a rule failed this statement (it was not run). */
  failed: boolean;
}

export interface FaultScope {
  /** true: only statements inside a transaction; false: only outside; undefined: both. */
  inTransaction?: boolean;
  /** Count and match writes only (see QueryRecord.write). */
  writesOnly?: boolean;
}

interface Rule extends FaultScope {
  matches: (record: QueryRecord) => boolean;
  /** Matching statements still to let through before failing. */
  skip: number;
  /** How many to fail, then the rule is spent. */
  remaining: number;
}

/** The error a failed statement throws; a test can tell it from a real one. */
export class InjectedFault extends Error {
  constructor(readonly sql: string) {
    super(`injected database fault: ${sql.slice(0, 120)}`);
    this.name = 'InjectedFault';
  }
}

const WRITE = /^\s*(insert|update|delete|merge|commit)\b|^\s*with\b[\s\S]*\b(insert\s+into|update\s+"?\w|delete\s+from)\b/i;

export const isWrite = (sql: string): boolean => WRITE.test(sql);

export class DatabaseFaults {
  /** Every statement since creation or the last clear(). */
  readonly queries: QueryRecord[] = [];
  private rules: Rule[] = [];

  /** Fails the nth matching statement counted from now (1 = the next one). */
  failNth(n: number, scope: FaultScope = {}): this {
    return this.add(() => true, n - 1, scope);
  }

  /** Fails the first statement from now whose SQL matches (e.g. /insert into "deliveries"/). */
  failFirst(pattern: RegExp, scope: FaultScope = {}): this {
    return this.add((record) => pattern.test(record.sql), 0, scope);
  }

  /** Fails every statement whose SQL matches, until removed with clearRules(). */
  failAll(pattern: RegExp, scope: FaultScope = {}): this {
    return this.add((record) => pattern.test(record.sql), 0, scope, Infinity);
  }

  clearRules(): void {
    this.rules = [];
  }

  /** Forgets the statements seen so far (rules stay). */
  clear(): void {
    this.queries.length = 0;
  }

  writes(): QueryRecord[] {
    return this.queries.filter((q) => q.write);
  }

  /** Runs a flow and returns the writes it made (a test then fails each in turn with failNth(i, { writesOnly: true })). */
  async writesOf(flow: () => Promise<unknown>): Promise<QueryRecord[]> {
    const start = this.queries.length;
    await flow();
    return this.queries.slice(start).filter((q) => q.write);
  }

  /** Rules are consulted here; throws InjectedFault when one fires. */
  check(sql: string, parameters: readonly unknown[], inTransaction: boolean): void {
    const record: QueryRecord = { sql, parameters, inTransaction, write: isWrite(sql), failed: false };
    this.queries.push(record);
    for (const rule of this.rules) {
      if (rule.remaining <= 0 || !inScope(rule, record) || !rule.matches(record)) continue;
      if (rule.skip > 0) {
        rule.skip--;
        continue;
      }
      rule.remaining--;
      record.failed = true;
      throw new InjectedFault(sql);
    }
  }

  private add(matches: Rule['matches'], skip: number, scope: FaultScope, remaining = 1): this {
    this.rules.push({ ...scope, matches, skip, remaining });
    return this;
  }
}

const inScope = (rule: FaultScope, record: QueryRecord) =>
  (rule.inTransaction === undefined || rule.inTransaction === record.inTransaction) && (!rule.writesOnly || record.write);

/** A connection that asks the rules before each statement and knows whether it is in a transaction. */
class FaultyConnection implements DatabaseConnection {
  inTransaction = false;
  constructor(
    readonly inner: DatabaseConnection,
    private readonly faults: DatabaseFaults,
  ) {}

  executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    this.faults.check(compiled.sql, compiled.parameters, this.inTransaction);
    return this.inner.executeQuery<R>(compiled);
  }

  streamQuery<R>(compiled: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    this.faults.check(compiled.sql, compiled.parameters, this.inTransaction);
    return this.inner.streamQuery<R>(compiled, chunkSize);
  }
}

/** Wraps a driver so that every statement, begin and commit included, passes the rules. */
export function faultyDriver(inner: Driver, faults: DatabaseFaults): Driver {
  const wrapped = new WeakMap<DatabaseConnection, FaultyConnection>();
  const unwrap = (connection: DatabaseConnection) => (connection as FaultyConnection).inner;
  const savepoint = (name: 'savepoint' | 'rollbackToSavepoint' | 'releaseSavepoint') =>
    inner[name]
      ? (connection: DatabaseConnection, savepointName: string, compile: Parameters<NonNullable<Driver['savepoint']>>[2]) => {
          faults.check(`${name} ${savepointName}`, [], true);
          return inner[name]!(unwrap(connection), savepointName, compile);
        }
      : undefined;
  return {
    init: () => inner.init(),
    async acquireConnection() {
      const connection = await inner.acquireConnection();
      let faulty = wrapped.get(connection);
      if (!faulty) wrapped.set(connection, (faulty = new FaultyConnection(connection, faults)));
      return faulty;
    },
    async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings) {
      faults.check('begin', [], false);
      await inner.beginTransaction(unwrap(connection), settings);
      (connection as FaultyConnection).inTransaction = true;
    },
    async commitTransaction(connection: DatabaseConnection) {
      // A failed commit is a transaction that did not commit: Kysely then rolls it back.
      faults.check('commit', [], true);
      await inner.commitTransaction(unwrap(connection));
      (connection as FaultyConnection).inTransaction = false;
    },
    async rollbackTransaction(connection: DatabaseConnection) {
      (connection as FaultyConnection).inTransaction = false;
      await inner.rollbackTransaction(unwrap(connection));
    },
    ...(savepoint('savepoint') ? { savepoint: savepoint('savepoint') } : {}),
    ...(savepoint('rollbackToSavepoint') ? { rollbackToSavepoint: savepoint('rollbackToSavepoint') } : {}),
    ...(savepoint('releaseSavepoint') ? { releaseSavepoint: savepoint('releaseSavepoint') } : {}),
    releaseConnection: (connection: DatabaseConnection) => inner.releaseConnection(unwrap(connection)),
    destroy: () => inner.destroy(),
  };
}

export interface FaultyDb {
  db: Db;
  faults: DatabaseFaults;
}

/** A fresh migrated database (as freshDatabase) whose statements can be failed. */
export async function faultyDatabase(kind: DbKind): Promise<FaultyDb> {
  const faults = new DatabaseFaults();
  const db = await freshDatabase(kind, { wrapDriver: (driver) => faultyDriver(driver, faults) });
  faults.clear();
  return { db, faults };
}

/** A demo database (as demoDatabase) whose statements can be failed; the import is not recorded. */
export async function faultyDemoDatabase(kind: DbKind, clock: Clock): Promise<FaultyDb> {
  const faults = new DatabaseFaults();
  const db = await demoDatabase(kind, clock, { wrapDriver: (driver) => faultyDriver(driver, faults) });
  faults.clear();
  return { db, faults };
}
