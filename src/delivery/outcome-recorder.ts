import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database, DeliveryRow } from '../db/tables.js';
import { recordOutcomes, type Changes, type LockHolder } from './claims.js';

/**
 * Records outcomes as they become known, in small groups: an outcome waits at most `windowMs`
 * (or until `maxGroup` are waiting, or the batch ends) and goes out in one UPDATE with those
 * known meanwhile; then those rows' claims are let go (`release`), never before their outcome is
 * committed (another replica that locks one after the unlock then reads it recorded). A fast
 * batch is still recorded in one UPDATE; a slow one (a hanging mail server) has its finished
 * rows recorded within the window, so a process killed mid-batch sends again only what was in
 * flight then, plus at most one window's outcomes (issue: "one bad row sends its whole batch twice").
 */
export class OutcomeRecorder {
  private waiting: [DeliveryRow, Changes][] = [];
  private writing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private failure: unknown;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    private readonly holder: LockHolder | undefined,
    private readonly release: (ids: number[]) => Promise<void>,
    /** Outcomes a write failed for: kept claimed, recorded at the next claim (claim-locks.ts). */
    private readonly keep: (finished: [DeliveryRow, Changes][]) => void,
    private readonly limits: { windowMs: number; maxGroup: number } = { windowMs: 200, maxGroup: 100 },
  ) {}

  add(row: DeliveryRow, changes: Changes): void {
    this.waiting.push([row, changes]);
    if (this.waiting.length >= this.limits.maxGroup) this.write();
    else this.timer ??= setTimeout(() => this.write(), this.limits.windowMs);
  }

  /** Writes what is waiting and resolves once everything added so far is written and let go; throws if a write failed. */
  async flushed(): Promise<void> {
    this.write();
    await this.writing;
    if (this.failure) throw this.failure;
  }

  private write(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.waiting.length === 0) return;
    const group = this.waiting;
    this.waiting = [];
    // A row handed back untouched (stopping) is still pending as it was: nothing to write.
    const changed = group.filter(([, changes]) => !(Object.keys(changes).length === 1 && changes.state === 'pending'));
    const ids = group.map(([row]) => row.id);
    // One write at a time, in order: a row's outcome is never overtaken by an older one. A
    // failed write (a full disk, a read-only database) does NOT let its rows go: let go, they
    // would be claimed and sent again at every cycle while the database refuses to record. They
    // stay claimed, their outcomes kept in memory and written at the next claim; only a crash
    // (the claim session gone) sends them again.
    this.writing = this.writing.then(
      () =>
        recordOutcomes(this.db, this.clock.now(), changed, this.holder).then(
          () => this.release(ids),
          (error: unknown) => {
            this.failure ??= error;
            this.keep(changed);
            const kept = new Set(changed.map(([row]) => row.id));
            return this.release(ids.filter((id) => !kept.has(id)));
          },
        ),
    ).catch((error: unknown) => void (this.failure ??= error));
  }
}
