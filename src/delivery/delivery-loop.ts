import schedule from 'node-schedule';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/tables.js';
import type { Logger } from '../log.js';
import type { Dispatcher } from './dispatcher.js';
import { nextDueAt } from './outbox.js';

/**
 * Wakes the dispatcher at the next due instant. node-schedule is used only for absolute UTC
 * instants (its zoned cron rules skip or double firings at the clock changes), and it keeps
 * nothing: the database is the truth, re-read after every batch. Rows another replica adds
 * with an earlier due time are found by the safety re-check (`safetyMs`, default one minute)
 * or at once when this replica is poked.
 */
export class DeliveryLoop {
  private job: schedule.Job | undefined;
  private soon: NodeJS.Timeout | undefined;
  private safety: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private again = false;

  constructor(
    private readonly options: { db: Kysely<Database>; dispatcher: Dispatcher; clock: Clock; log: Logger; safetyMs?: number },
  ) {}

  start(): void {
    this.stopped = false;
    this.poke();
  }

  /** Something new was queued: look at the outbox now. */
  poke(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.cycle().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.poke();
      }
    });
  }

  private async cycle(): Promise<void> {
    try {
      await this.options.dispatcher.drain();
      await this.arm();
    } catch (error) {
      this.options.log.error({ err: error }, 'delivery cycle failed; retrying at the next check');
      this.armSafety();
    }
  }

  private async arm(): Promise<void> {
    this.job?.cancel();
    this.job = undefined;
    clearTimeout(this.soon);
    const next = await nextDueAt(this.options.db);
    this.armSafety();
    if (!next || this.stopped) return;
    if (next.getTime() <= this.options.clock.now().getTime()) {
      this.again = true;
      return;
    }
    this.job = schedule.scheduleJob(next, () => this.poke()) ?? undefined;
    // node-schedule returns null for an instant already past by its own (real) clock: a row
    // falling due between the query and this line. Without a job nothing would wake the loop
    // before the safety re-check a minute later, so wait out the rest by the injected clock.
    if (!this.job) this.soon = setTimeout(() => this.poke(), Math.max(0, next.getTime() - this.options.clock.now().getTime()));
  }

  private armSafety(): void {
    clearTimeout(this.safety);
    if (this.stopped) return;
    this.safety = setTimeout(() => this.poke(), this.options.safetyMs ?? 60_000);
    this.safety.unref();
  }

  /** Finishes the batch in hand, then stops; nothing in flight is abandoned. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.job?.cancel();
    clearTimeout(this.soon);
    clearTimeout(this.safety);
    await this.running;
  }
}
