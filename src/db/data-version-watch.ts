import { performance } from 'node:perf_hooks';
import type { Kysely, KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import { NOT_SHOWN } from './data-version-tables.js';
import { RAISED_VERSION, readDataVersion } from './data-version.js';
import type { Database } from './tables.js';

/**
 * How a driver tells of data_version raises that anyone committed (LISTEN/NOTIFY on the
 * `data_version` channel, migration 0008). adapters/db provides it.
 */
export interface VersionNotifications {
  /**
   * Resolves with the version read once every later commit will be reported; `onLost` when
   * reports stopped (connection gone).
   */
  listen(onVersion: (version: number) => void, onLost: (error: unknown) => void): Promise<number>;
}

const RETRY_MS = 5000;

/**
 * The current data version, known without a database round trip while the driver reports
 * every raise: caches compare it on each request for free. Raises this process writes are
 * seen when its own query returns (this is also a Kysely plugin, installed by adapters/db),
 * so a change is visible to the next request of the same process even before its
 * notification arrives; other processes' raises arrive as notifications when they commit.
 * Without notifications (or while they are lost) every call reads the row, as before.
 */
export class DataVersionWatch implements KyselyPlugin {
  private db: Kysely<Database> | undefined;
  private state: 'off' | 'starting' | 'on' = 'off';
  private retryAt = 0;
  private starting: Promise<void> | undefined;
  /** Bumped whenever listening (re)starts: reads begun before must not be trusted. */
  private generation = 0;
  private known: number | undefined;
  /** The highest version this process raised, committed or not yet. */
  private written = 0;

  constructor(private readonly notifications?: VersionNotifications) {}

  attach(db: Kysely<Database>): this {
    this.db = db;
    return this;
  }

  /**
   * The version when it is known without waiting (notifications on, nothing of ours
   * uncommitted): the usual case, answered without a promise (every request asks).
   */
  settled(): number | undefined {
    return this.state === 'on' && this.known !== undefined && this.known >= this.written ? this.known : undefined;
  }

  async current(): Promise<number> {
    // The first callers wait for the listener (a few milliseconds, once) rather than read.
    await this.listen();
    const settled = this.settled();
    if (settled !== undefined) return settled;
    const generation = this.generation;
    const version = await readDataVersion(this.db!);
    // A raise written here and not yet committed (or rolled back) stays unknown: read again next time.
    if (this.state === 'on' && generation === this.generation && version >= this.written) this.known = Math.max(this.known ?? version, version);
    return version;
  }

  private listen(): Promise<void> | undefined {
    if (this.state === 'starting') return this.starting;
    if (!this.notifications || this.state === 'on' || performance.now() < this.retryAt) return undefined;
    this.state = 'starting';
    const lost = () => {
      this.state = 'off';
      this.known = undefined;
      this.retryAt = performance.now() + RETRY_MS;
    };
    this.starting = this.notifications
      .listen((version) => (this.known = Math.max(this.known ?? version, version)), lost)
      .then((version) => {
        if (this.state !== 'starting') return;
        this.generation++;
        this.known = Math.max(this.known ?? version, version);
        this.state = 'on';
      }, lost);
    return this.starting;
  }

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    if (writesShownTable(args.node)) this.shownWrites.add(args.queryId);
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    const raised = args.result.rows[0]?.[RAISED_VERSION];
    if (raised !== undefined && args.result.rows.length === 1) this.written = Math.max(this.written, Number(raised));
    // A write the triggers will raise the version for at commit (migration 0018), without saying to
    // what: this process serves nothing it kept until it has seen a newer version than it knew.
    else if (this.shownWrites.has(args.queryId) && Number(args.result.numAffectedRows ?? args.result.rows.length) > 0) {
      this.written = Math.max(this.written, (this.known ?? 0) + 1);
    }
    return args.result;
  }

  private readonly shownWrites = new WeakSet<object>();
}

/** True for an INSERT, UPDATE or DELETE (built with Kysely) of a table whose changes raise the data version. */
function writesShownTable(node: RootOperationNode): boolean {
  const tables: unknown[] =
    node.kind === 'InsertQueryNode' ? [node.into] : node.kind === 'UpdateQueryNode' ? [node.table] : node.kind === 'DeleteQueryNode' ? [...node.from.froms] : [];
  return tables.some((t) => {
    const table = (t as { kind?: string; node?: unknown })?.kind === 'AliasNode' ? (t as { node: unknown }).node : t;
    const name = (table as { kind?: string; table?: { identifier?: { name?: string } } })?.table?.identifier?.name;
    return name !== undefined && !(name in NOT_SHOWN);
  });
}

const watches = new WeakMap<Kysely<Database>, DataVersionWatch>();

/** Called by adapters/db for each database it opens. */
export function registerDataVersionWatch(db: Kysely<Database>, watch: DataVersionWatch): void {
  watches.set(db, watch.attach(db));
}

/** The watch of a database; one that reads on every call when its opener gave none. */
export function dataVersionWatch(db: Kysely<Database>): DataVersionWatch {
  let watch = watches.get(db);
  if (!watch) watches.set(db, (watch = new DataVersionWatch().attach(db)));
  return watch;
}

/** The current data version for a cache to compare: at once while it is known, else read. */
export function currentDataVersion(db: Kysely<Database>): number | Promise<number> {
  const watch = dataVersionWatch(db);
  return watch.settled() ?? watch.current();
}
