import { sql, type Kysely } from 'kysely';
import type { DedicatedSession } from '../db/db.port.js';
import type { Database, DeliveryRow } from '../db/tables.js';
import type { Logger } from '../log.js';
import { countLocked, fetchClaimed, prepareClaimSession, lockDue, pickDue, recordOutcomes, unlock, type Changes, type Claim, type LockHolder } from './claims.js';

/** A claimed batch: its rows, and the session holding their locks (none on PGlite). */
export interface Claimed {
  rows: DeliveryRow[];
  holder: LockHolder | undefined;
}

/**
 * What this process has claimed and not yet let go (docs/delivery-engine.md, "Claims"). A claim
 * writes nothing to the row: it stays `pending`, and
 * - on PostgreSQL it is a session advisory lock held on a session of the dispatcher's own
 *   (`openSession`), opened at the first claim and kept for the dispatcher's life. A process that
 *   dies loses its session and with it every claim, at once: no lease, nothing to take back.
 *   A session that broke is replaced at the next claim; its claims are lost (their outcomes are
 *   not recorded, recordOutcomes checks the lock) and those rows go out again.
 * - on PGlite (one process, one session: advisory locks are re-entrant there and exclude
 *   nothing) the in-process set of rows in flight is the claim; the same locks are taken on its
 *   one session all the same, so that other writers and the gauge see in pg_locks which rows
 *   are being sent (claims.ts, notClaimedNow), as on PostgreSQL.
 * In both, rows in flight are kept out of this process's next claims. Claims are made one at a
 * time, so that set is exact when each claim is made.
 */
export class ClaimLocks {
  /** Rows in flight, with the session holding each (undefined on PGlite). */
  private readonly inFlight = new Map<number, LockHolder | undefined>();
  private holder: Promise<LockHolder> | undefined;
  /** The dedicated session once open (PostgreSQL), for sessionPid(). */
  private opened: DedicatedSession | undefined;
  /** PostgreSQL with no session of its own: no locks (see session()). */
  private lockless = false;
  private claiming: Promise<unknown> = Promise.resolve();
  /** Outcomes known but not yet recorded (the database refused the write): their rows stay claimed. */
  private unrecorded: { finished: [DeliveryRow, Changes][]; holder: LockHolder | undefined }[] = [];

  constructor(
    private readonly db: Kysely<Database>,
    private readonly log: Logger,
    private readonly openSession?: () => Promise<DedicatedSession>,
  ) {}

  /** Rows this process holds now. */
  get size(): number {
    return this.inFlight.size;
  }

  /** The ids of the rows this process holds now. */
  held(): number[] {
    return [...this.inFlight.keys()];
  }

  /**
   * Rows claimed in the whole deployment: this process's in-flight set (exact) plus, on
   * PostgreSQL, the other replicas' locks (one per lock key: two rows of another replica whose
   * ids are 2^31 apart and both in flight count once, a rare undercount; exact would need each
   * replica to publish its count).
   */
  async countClaimed(): Promise<number> {
    if (!this.openSession) return this.inFlight.size;
    const current = this.holder && (await this.holder.catch(() => undefined));
    const own = current && !current.session.broken ? current.session.pid : -1;
    return this.inFlight.size + (await countLocked(this.db, own));
  }

  /**
   * The backend pid of this process's own claim session while it is open and not broken; null on
   * PGlite (no session of its own), before the first claim, and once it broke until the next
   * claim opens another. The heartbeat writes it, so that the others stop counting this replica
   * as soon as PostgreSQL ends the session with the process (live-replicas.ts).
   */
  sessionPid(): number | null {
    return this.opened && !this.opened.broken ? this.opened.pid : null;
  }

  /** Claims up to `batchSize` due rows of one lane (and rows within its lead that may go early). */
  claim(claim: Claim): Promise<Claimed> {
    const work = this.claiming.then(() => this.claimNow(claim));
    this.claiming = work.catch(() => undefined);
    return work;
  }

  /** Keeps rows claimed whose outcomes could not be recorded; they are written at the next claim. */
  keepUnrecorded(finished: [DeliveryRow, Changes][], holder: LockHolder | undefined): void {
    if (finished.length > 0) this.unrecorded.push({ finished, holder });
  }

  /**
   * Writes the outcomes kept from a failed write, then lets their rows go. Still failing, they
   * stay claimed (and out of claims) until the next try. A session that broke meanwhile has lost
   * those claims: recordOutcomes then writes nothing for them (the lock check) and they go out
   * again, as after a crash.
   */
  private async recordKept(now: Date): Promise<void> {
    const groups = this.unrecorded;
    this.unrecorded = [];
    for (const group of groups) {
      try {
        await recordOutcomes(this.db, now, group.finished, group.holder);
      } catch (error) {
        this.unrecorded.push(group);
        this.log.warn({ err: error, rows: group.finished.length }, 'delivery outcomes still cannot be recorded; their rows stay claimed');
        continue;
      }
      await this.release(group.finished.map(([row]) => row.id), group.holder);
    }
  }

  private async claimNow(claim: Claim): Promise<Claimed> {
    if (this.unrecorded.length > 0) await this.recordKept(claim.now);
    const exclude = [...this.inFlight.keys()];
    const holder = await this.session();
    const ids = holder ? await lockDue(holder, { ...claim, exclude }) : await pickDue(this.db, { ...claim, exclude });
    if (ids.length === 0) return { rows: [], holder };
    for (const id of ids) this.inFlight.set(id, holder);
    let rows: DeliveryRow[];
    try {
      rows = await fetchClaimed(this.db, ids, claim);
    } catch (error) {
      await this.release(ids, holder);
      throw error;
    }
    const kept = new Set(rows.map((r) => r.id));
    const gone = ids.filter((id) => !kept.has(id));
    // Recorded (or changed) by someone else between this claim's snapshot and its lock.
    if (gone.length > 0) await this.release(gone, holder);
    return { rows, holder };
  }

  /**
   * Lets rows go: unlocked, and out of the in-flight set only once the unlock is done, so that
   * no claim of this process can lock one of them again before (that would count twice).
   */
  async release(ids: number[], holder: LockHolder | undefined): Promise<void> {
    if (ids.length === 0) return;
    try {
      if (holder && !holder.session.broken) {
        const notHeld = await unlock(holder, ids);
        if (notHeld > 0) this.log.warn({ rows: notHeld }, 'delivery claims were no longer held when let go');
      }
    } catch (error) {
      // The session is likely broken: its locks end with it.
      this.log.warn({ err: error }, 'could not unlock delivery claims; they end with their session');
    } finally {
      for (const id of ids) if (this.inFlight.get(id) === holder) this.inFlight.delete(id);
    }
  }

  /** The session claims are made on: opened at the first claim, replaced when it broke. */
  private async session(): Promise<LockHolder | undefined> {
    if (this.lockless) return undefined;
    const current = this.holder && (await this.holder.catch(() => undefined));
    if (current && !current.session.broken) return current;
    if (!this.openSession) {
      // PostgreSQL without a session of its own (a lone dispatcher in a tool or a test): a lock
      // would stay on whichever pooled connection took it and hide the row from everyone, so it
      // claims by the in-process set alone.
      const { rows: [where] } = await sql<{ embedded: boolean }>`select version() like '%PGlite%' as embedded`.execute(this.db);
      if (!where?.embedded) {
        this.lockless = true;
        return undefined;
      }
      // PGlite: its one session. The locks exclude nothing there (re-entrant, one session), the
      // in-flight set is the claim; they are taken so that other writers see, in pg_locks, which
      // rows are being sent (claims.ts, notClaimedNow), as on PostgreSQL.
      const db = this.db;
      this.holder = (async () => {
        const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db);
        const session: DedicatedSession = { db, pid: Number(rows[0]!.pid), broken: false, close: async () => undefined };
        return { session, lockClass: await prepareClaimSession(session) };
      })();
      return this.holder;
    }
    if (current) {
      this.log.warn('the dispatcher lost its database session: the rows it was sending may go out again');
      await current.session.close().catch(() => undefined);
    }
    this.opened = undefined;
    this.holder = (async () => {
      const session = await this.openSession!();
      try {
        const holder = { session, lockClass: await prepareClaimSession(session) };
        this.opened = session;
        return holder;
      } catch (error) {
        await session.close().catch(() => undefined);
        throw error;
      }
    })();
    return this.holder;
  }

  /** Ends every claim: closes the session (its locks end with it). For the end of the dispatcher's work. */
  async close(): Promise<void> {
    await this.claiming;
    const current = this.holder && (await this.holder.catch(() => undefined));
    this.holder = undefined;
    this.opened = undefined;
    // PGlite's session outlives the dispatcher: what it still holds is unlocked here.
    if (current && !this.openSession) await unlock(current, [...this.inFlight.keys()]).catch(() => undefined);
    if (current) await current.session.close().catch(() => undefined);
    // Outcomes never recorded are lost with the session's claims: those rows go out again.
    if (this.unrecorded.length > 0) this.log.warn({ rows: this.unrecorded.reduce((n, g) => n + g.finished.length, 0) }, 'delivery outcomes were never recorded; those rows may go out again');
    this.unrecorded = [];
    this.inFlight.clear();
  }
}
