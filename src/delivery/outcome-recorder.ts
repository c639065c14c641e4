import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database, DeliveryRow } from '../db/tables.js';
import { recordOutcomes, type Changes } from './claims.js';

/**
 * Records outcomes as they become known, in small groups: an outcome waits at most `windowMs`
 * (or until `maxGroup` are waiting, or the batch ends) and goes out in one UPDATE with those
 * known meanwhile. A fast batch is still recorded in one UPDATE; a slow one (a hanging mail
 * server) has its finished rows recorded within the window, so a process killed mid-batch
 * leaves `sending` only what was in flight then, plus at most one window's outcomes (issue:
 * "one bad row sends its whole batch twice").
 */
export class OutcomeRecorder {
  private waiting: [DeliveryRow, Changes][] = [];
  private writing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private failure: unknown;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly workerId: string,
    private readonly clock: Clock,
    private readonly limits: { windowMs: number; maxGroup: number } = { windowMs: 200, maxGroup: 100 },
  ) {}

  add(row: DeliveryRow, changes: Changes): void {
    this.waiting.push([row, changes]);
    if (this.waiting.length >= this.limits.maxGroup) this.write();
    else this.timer ??= setTimeout(() => this.write(), this.limits.windowMs);
  }

  /** Writes what is waiting and resolves once everything added so far is written; throws if a write failed. */
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
    // One write at a time, in order: a row's outcome is never overtaken by an older one.
    // A failed write leaves its rows claimed: the lease or the next start hands them out again.
    this.writing = this.writing.then(() => recordOutcomes(this.db, this.workerId, this.clock.now(), group)).catch((error: unknown) => void (this.failure ??= error));
  }
}
