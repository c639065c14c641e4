import { performance } from 'node:perf_hooks';
import type {
  DeleteQueryNode,
  InsertQueryNode,
  Kysely,
  KyselyPlugin,
  MergeQueryNode,
  OperationNode,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  RawNode,
  RootOperationNode,
  UnknownRow,
  UpdateQueryNode,
  WithNode,
} from 'kysely';
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
 * seen when its own query returns (`bumpDataVersion`'s RETURNING: this is also a Kysely
 * plugin, installed by adapters/db) or, for the raises the triggers make at commit, when the
 * driver reads the version back right after our commit (`ownCommit`, adapters/db): a change is
 * visible to the next request of the same process even before its notification arrives.
 * Other processes' raises arrive as notifications when they commit. Without notifications
 * (or while they are lost) every call reads the row, as before.
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

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    const raised = args.result.rows[0]?.[RAISED_VERSION];
    if (raised !== undefined && args.result.rows.length === 1) this.written = Math.max(this.written, Number(raised));
    return args.result;
  }

  /**
   * The version read back by the driver on the connection that just committed a write of a
   * shown table (the triggers of migration 0018 raised it at that commit, without saying to
   * what). Read after the commit, it counts our raise and is committed: every later request
   * serves at least our change. It used to be guessed as `known + 1`, which another replica's
   * raise heard during our transaction made true too early (issue 13). On PostgreSQL it is read
   * in the transaction just before its commit, in the same round trip (own-commits.ts).
   */
  ownCommit(version: number): void {
    // Also while listening starts: its first read may precede our commit, and the max keeps ours.
    if (this.state !== 'off') this.known = Math.max(this.known ?? version, version);
  }

  /**
   * The end of our transaction that raises the version failed in a way that may still commit it:
   * pg's time limit is the client's alone (the server goes on with the commit once a lock it
   * waits for comes free), a connection lost after the commit. Until a version above the one
   * known now is heard or read, nothing kept is trusted: every request reads, and a read that
   * comes before that late commit does not settle the watch on the version before it.
   */
  ownCommitInDoubt(): void {
    this.written = Math.max(this.written, (this.known ?? 0) + 1);
  }

  /** Our commit raised the version, but reading it back failed: trust nothing kept until a read. */
  ownCommitUnknown(): void {
    if (this.state !== 'on') return;
    this.generation++;
    this.known = undefined;
  }

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return args.node;
  }
}

/**
 * Whether a statement may have written a table whose changes raise the data version (so that
 * its commit raises it), judged from the statement alone: an INSERT, UPDATE, DELETE or MERGE
 * built with Kysely, read from its tree, its WITH clauses included (a write in a CTE under a
 * SELECT roots at a SelectQueryNode); one in raw SQL, read from its text (CTEs included;
 * `for update` and `do update` are no writes of their own). Not from the rows it reports: a
 * write in a CTE under a SELECT reports none, and a write that changed nothing only costs the
 * driver one read back.
 */
export function writesShownTable(node: RootOperationNode, sqlText: string): boolean {
  if (node.kind === 'RawNode') return rawWritesShownTable(sqlText);
  return treeWritesShownTable(node);
}

function rawWritesShownTable(sqlText: string): boolean {
  for (const match of sqlText.matchAll(RAW_WRITE)) if (!(match[1]!.toLowerCase() in NOT_SHOWN)) return true;
  return false;
}

/** A Kysely-built statement and the ones in its WITH clauses (where PostgreSQL allows writes too). */
function treeWritesShownTable(node: OperationNode): boolean {
  if (node.kind === 'RawNode') return rawWritesShownTable((node as RawNode).sqlFragments.join(' '));
  const query = node as OperationNode & {
    into?: InsertQueryNode['into'] | MergeQueryNode['into'];
    table?: UpdateQueryNode['table'];
    from?: DeleteQueryNode['from'];
    with?: WithNode;
  };
  const tables: unknown[] =
    node.kind === 'InsertQueryNode' || node.kind === 'MergeQueryNode'
      ? [query.into]
      : node.kind === 'UpdateQueryNode'
        ? [query.table]
        : node.kind === 'DeleteQueryNode'
          ? [...(query.from?.froms ?? [])]
          : [];
  const writes = tables.some((t) => {
    const table = (t as { kind?: string; node?: unknown })?.kind === 'AliasNode' ? (t as { node: unknown }).node : t;
    const name = (table as { kind?: string; table?: { identifier?: { name?: string } } })?.table?.identifier?.name;
    return name !== undefined && !(name in NOT_SHOWN);
  });
  return writes || (query.with?.expressions ?? []).some((cte) => treeWritesShownTable(cte.expression));
}

const RAW_WRITE = /\b(?:insert\s+into|delete\s+from|(?<!\b(?:for|key|do)\s+)update)\s+(?:only\s+)?"?(\w+)"?/gi;

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
