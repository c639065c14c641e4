import { sql, type Kysely } from 'kysely';
import { realMs, type Clock } from '../clock.js';
import type { Database } from '../db/tables.js';
import type { Logger } from '../log.js';
import { DEFAULT_REPLICA_TIMEOUT_MS, heartbeatStale } from './replica-timeouts.js';

export interface LiveReplicasOptions {
  db: Kysely<Database>;
  clock: Clock;
  log: Logger;
  workerId: string;
  /** How often this replica says it is alive and counts the others (default 5 s). */
  refreshMs?: number;
  /**
   * This replica's REPLICA_TIMEOUT_SECONDS (default 30 s): not heard from for this long, it is
   * no longer counted for pacing shares (its claims ended with its session already, see
   * claim-locks.ts). Written with its heartbeat: the others judge it by this, not by their own.
   */
  staleMs?: number;
  /**
   * The backend pid of this replica's claim session, or null without one (PGlite, before the
   * first claim, while it is broken). Written with each heartbeat; the Dispatcher given this
   * LiveReplicas sets it (ClaimLocks.sessionPid). Absent: null.
   */
  sessionPid?: () => number | null;
}

/**
 * How many dispatchers share the platforms' rate limits, so that each paces at its share and
 * the deployment as a whole stays under them (issue 4). Each replica keeps a heartbeat row in
 * `dispatchers`, with its own timeout; the live ones are those seen within their own timeout
 * (replica-timeouts.ts), so replicas set differently still agree on who is alive.
 *
 * Why a count rather than a shared bucket or one replica per address: Slack's and Teams'
 * app-wide limits span every address, so splitting addresses between replicas would not hold
 * them, and a token bucket in the database would cost a write per message. Dividing by the
 * count costs one small query every few seconds. Its price: a replica paces at its share even
 * while the others are idle. A replica that joins where others run sends nothing paced for its
 * first `refreshMs` (`joiningUntil`): by then every other one has counted it and lowered its share.
 *
 * A crashed replica's row stops counting at once, not after its timeout: each heartbeat records
 * the backend pid of the replica's claim session (claim-locks.ts), which PostgreSQL ends as soon
 * as the process dies and its socket closes; a row whose pid is no longer in pg_stat_activity
 * is left out of the count. Without a session (none yet, broken, PGlite, older code: a null
 * pid) a row is judged by its age alone. A session replaced after a connection loss has a new
 * pid, written at the next batch's refresh or heartbeat: until then the others may leave this
 * replica out (they pace above their share for at most about one `refreshMs`). A pid reused by a new backend only
 * keeps a dead row counted until its timeout, as before. The pid column of pg_stat_activity is
 * readable by every role, whatever role the session belongs to.
 *
 * Heartbeats are stamped and aged by the database's clock; the injected clock only paces how
 * often this replica beats (tests backdate a heartbeat instead of waiting).
 */
/** A row's claim session still runs, or it recorded none (then its age alone decides). */
const sessionAlive = sql<boolean>`(dispatchers.session_pid is null or exists (select 1 from pg_stat_activity a where a.pid = dispatchers.session_pid))`;

export class LiveReplicas {
  private live = 1;
  private lastBeat = Number.NEGATIVE_INFINITY;
  /** The claim session's pid the last heartbeat wrote (see refresh). */
  private beatPid: number | null = null;
  /** Set at the first heartbeat: see joiningUntil. */
  private holdUntil: number | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: LiveReplicasOptions) {}

  /** Where the heartbeat reads its claim session's pid from (the Dispatcher given this LiveReplicas calls it). */
  followSession(sessionPid: () => number | null): void {
    this.options.sessionPid = sessionPid;
  }

  /** The live dispatchers, this one included, as of the last heartbeat. */
  get count(): number {
    return this.live;
  }

  /** This replica's timeout: not heard from for this long, the others no longer count it. */
  get staleMs(): number {
    return this.options.staleMs ?? DEFAULT_REPLICA_TIMEOUT_MS;
  }

  /**
   * Records this replica as alive and counts the live ones. Heartbeats are written and aged on
   * the database's clock, the one clock every replica shares: a replica whose own clock is off
   * does not count the others dead.
   */
  async beat(): Promise<number> {
    const { db, clock, workerId } = this.options;
    this.lastBeat = clock.now().getTime();
    const timeout = Math.round(this.staleMs);
    const pid = (this.beatPid = this.options.sessionPid?.() ?? null);
    await sql`insert into dispatchers (worker_id, seen_at, timeout_ms, session_pid) values (${workerId}, now(), ${timeout}, ${pid}::int) on conflict (worker_id) do update set seen_at = now(), timeout_ms = excluded.timeout_ms, session_pid = excluded.session_pid`.execute(db);
    // Replicas that crashed leave a row; once it is long past counting it can go.
    await sql`delete from dispatchers where seen_at < now() - interval '1 hour'`.execute(db);
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from dispatchers where not ${heartbeatStale(this.staleMs)} and ${sessionAlive}`.execute(db);
    this.live = Math.max(1, Number(rows[0]?.n ?? 1));
    this.holdUntil ??= this.live > 1 ? this.lastBeat + (this.options.refreshMs ?? 5000) : 0;
    return this.live;
  }

  /**
   * A replica that finds others at its first heartbeat may not have been counted by them yet:
   * until this instant it sends nothing paced. One that finds itself alone needs no wait.
   */
  joiningUntil(): Date | undefined {
    return this.holdUntil && this.options.clock.now().getTime() < this.holdUntil ? new Date(this.holdUntil) : undefined;
  }

  /**
   * Beats when the last heartbeat is older than `refreshMs` of real time (the dispatcher calls
   * this per batch), or when the claim session changed since (opened, broken, replaced): a row
   * whose session is gone does not count, so the new pid is written at the next batch rather
   * than up to `refreshMs` later. Real time, as the heartbeats are aged on the database's clock
   * and the idle beat is a real timer (start): on a compressed clock (the national week at
   * 1,008×) 5 s of the clock passed at nearly every claim, and each beat is three statements,
   * one of them reading pg_stat_activity (33,000 in the week, of 436,000).
   */
  async refresh(): Promise<number> {
    const sessionChanged = (this.options.sessionPid?.() ?? null) !== this.beatPid;
    const { clock } = this.options;
    if (sessionChanged || realMs(clock, clock.now().getTime() - this.lastBeat) >= (this.options.refreshMs ?? 5000)) await this.beat();
    return this.live;
  }

  /** Beats now and every `refreshMs`, also while there is nothing to send: an idle replica still counts. */
  async start(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => {
      this.beat().catch((error: unknown) => this.options.log.warn({ err: error }, 'dispatcher heartbeat failed; pacing with the last count'));
    }, this.options.refreshMs ?? 5000);
    this.timer.unref();
  }

  /** Stops beating and removes the row, so the others take over its share at their next refresh. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.holdUntil = undefined;
    await this.options.db.deleteFrom('dispatchers').where('worker_id', '=', this.options.workerId).execute();
  }
}
