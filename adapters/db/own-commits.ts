import { CompiledQuery, type DatabaseConnection, type Driver, type QueryResult, type TransactionSettings } from 'kysely';
import { writesShownTable, type DataVersionWatch } from '../../src/db/data-version-watch.js';

const VERSION = CompiledQuery.raw('select version from data_version where id = 1');
/**
 * The end of a transaction that raises the version, in one round trip (one simple query of three
 * statements, PostgreSQL only): its deferred triggers fire now (the version is raised, and its
 * row stays locked until the commit as it would at the commit), the raised version is read in the
 * transaction, then it commits. Should a statement of it fail on the server, the commit is not
 * run and the transaction is rolled back (Kysely rolls back after a failed commit). A failure
 * without the server's answer (pg's query_timeout, which is the client's alone; a lost
 * connection) leaves the outcome unknown, as a plain COMMIT's: the server may go on and commit
 * once a lock it waits for comes free (test/db/own-commit-one-trip-timeout.hostile.test.ts).
 * Before, the commit and then the read were two round trips (9,847 reads in the national week,
 * docs/benchmarks.md).
 */
const RAISE_READ_COMMIT = CompiledQuery.raw('set constraints all immediate; select version from data_version where id = 1; commit');

/**
 * A failed end whose outcome is unknown: no answer from the server (pg's time limit, which is the
 * client's alone; a lost connection) or the connection ended by it (08, 57: an answer may have
 * been cut after the commit). Any other error is the server's answer to a statement of the end:
 * the transaction did not commit.
 */
function inDoubt(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code) || code.startsWith('08') || code.startsWith('57');
}

/** A connection that notices writes of shown tables, and whether it is in a transaction. */
class WatchedConnection implements DatabaseConnection {
  inTransaction = false;
  /** The open transaction wrote a shown table: the triggers raise the version at its commit. */
  raises = false;

  constructor(
    readonly inner: DatabaseConnection,
    private readonly readBack: (connection: DatabaseConnection) => Promise<void>,
  ) {}

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const result = await this.inner.executeQuery<R>(compiled);
    // From the statement, not its row count: a write in a CTE under a SELECT reports no rows affected.
    if (writesShownTable(compiled.query, compiled.sql)) {
      if (this.inTransaction) this.raises = true;
      // Outside a transaction the statement has committed already, and raised with it.
      else await this.readBack(this.inner);
    }
    return result;
  }

  streamQuery<R>(compiled: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(compiled, chunkSize);
  }
}

/**
 * Wraps a driver so that after each commit that wrote a table whose changes raise the data
 * version, the version is read back on the same connection before the connection is handed
 * back, and the watch learns it (`DataVersionWatch.ownCommit`): the number our commit actually
 * wrote or a later one, never a guess, and known before the caller's next request, whatever
 * other replicas raised meanwhile and however late their notifications and ours arrive.
 * One small query per such transaction, none for any other; on PostgreSQL (`readInCommit`) not
 * even that: the read goes with the commit (RAISE_READ_COMMIT). PGlite, in the same process, has
 * no round trip to save and keeps the two steps (its driver sends one statement at a time).
 */
export function seeingOwnCommits(inner: Driver, watch: DataVersionWatch, options: { readInCommit?: boolean } = {}): Driver {
  const wrapped = new WeakMap<DatabaseConnection, WatchedConnection>();
  const unwrap = (connection: DatabaseConnection) => (connection as WatchedConnection).inner;
  const readBack = async (connection: DatabaseConnection) => {
    try {
      const { rows } = await connection.executeQuery<{ version: number | string }>(VERSION);
      watch.ownCommit(Number(rows[0]!.version));
    } catch {
      // The commit stands; only its number is unknown: the watch reads it at the next request.
      watch.ownCommitUnknown();
    }
  };
  const savepoint = (name: 'savepoint' | 'rollbackToSavepoint' | 'releaseSavepoint') => {
    const method = inner[name]?.bind(inner);
    return method ? { [name]: (connection: DatabaseConnection, savepointName: string, compile: Parameters<NonNullable<Driver['savepoint']>>[2]) => method(unwrap(connection), savepointName, compile) } : {};
  };
  return {
    init: () => inner.init(),
    async acquireConnection() {
      const connection = await inner.acquireConnection();
      let watched = wrapped.get(connection);
      if (!watched) wrapped.set(connection, (watched = new WatchedConnection(connection, readBack)));
      return watched;
    },
    async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings) {
      await inner.beginTransaction(unwrap(connection), settings);
      Object.assign(connection as WatchedConnection, { inTransaction: true, raises: false });
    },
    async commitTransaction(connection: DatabaseConnection) {
      const watched = connection as WatchedConnection;
      if (watched.raises && options.readInCommit) {
        // A failure here is no proof that nothing committed (pg's time limit is the client's, the
        // server goes on): the watch trusts no kept version until one above it is seen.
        const { rows } = await watched.inner.executeQuery<{ version: number | string }>(RAISE_READ_COMMIT).catch((error: unknown) => {
          if (inDoubt(error)) watch.ownCommitInDoubt();
          throw error;
        });
        Object.assign(watched, { inTransaction: false, raises: false });
        const version = Number(rows[0]?.version);
        // Committed: only a missing number (never expected) leaves the watch to read it at the next request.
        if (Number.isFinite(version)) watch.ownCommit(version);
        else watch.ownCommitUnknown();
        return;
      }
      await inner.commitTransaction(watched.inner).catch((error: unknown) => {
        if (watched.raises && inDoubt(error)) watch.ownCommitInDoubt();
        throw error;
      });
      const raised = watched.raises;
      Object.assign(watched, { inTransaction: false, raises: false });
      if (raised) await readBack(watched.inner);
    },
    async rollbackTransaction(connection: DatabaseConnection) {
      Object.assign(connection as WatchedConnection, { inTransaction: false, raises: false });
      await inner.rollbackTransaction(unwrap(connection));
    },
    ...savepoint('savepoint'),
    ...savepoint('rollbackToSavepoint'),
    ...savepoint('releaseSavepoint'),
    releaseConnection: (connection: DatabaseConnection) => inner.releaseConnection(unwrap(connection)),
    destroy: () => inner.destroy(),
  };
}
