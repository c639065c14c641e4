import { CompiledQuery, type DatabaseConnection, type Driver, type QueryResult, type TransactionSettings } from 'kysely';
import { writesShownTable, type DataVersionWatch } from '../../src/db/data-version-watch.js';

const VERSION = CompiledQuery.raw('select version from data_version where id = 1');

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
 * One small query per such transaction; none for any other.
 */
export function seeingOwnCommits(inner: Driver, watch: DataVersionWatch): Driver {
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
      await inner.commitTransaction(watched.inner);
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
