import schedule from 'node-schedule';
import type { Kysely } from 'kysely';
import { realMsUntil, type Clock } from '../clock.js';
import type { Database } from '../db/tables.js';
import type { Logger } from '../log.js';
import type { Dispatcher } from './dispatcher.js';
import { runAs } from '../precedence.js';
import { LANES, type Lane } from './lanes.js';
import { nextDueAt, nextDueByLane } from './outbox.js';
import { FoldedRuns } from './one-at-a-time.js';

/** One lane's wake-up state: a lane busy with a slow platform never holds up another. */
interface LaneWake {
  running?: Promise<void>;
  again: boolean;
  job?: schedule.Job;
  soon?: NodeJS.Timeout;
  /** Times in a row the lane found a due row it could not claim (locked elsewhere). */
  blocked: number;
  /** The due time (clock ms) of the row the armed timer wakes the lane for; none while not armed for one. */
  armedDue?: number;
  /**
   * Whether the armed wake-up was sized by the lane's load (early sends: `EarlySends.readsLoad`):
   * rows queued at or after `armedDue` may then move it earlier, so `queued` wakes the lane.
   */
  armedByLoad?: boolean;
}

/**
 * Wakes each lane of the dispatcher at its next due instant. node-schedule is used only for
 * absolute UTC instants (its zoned cron rules skip or double firings at the clock changes), and
 * it keeps nothing: the database is the truth, re-read after every drain. Rows another replica
 * adds with an earlier due time are found by the safety re-check (`safetyMs`, default ten
 * seconds, which also finds a dead replica's rows, free once its session ended) or at once when this replica is poked.
 */
export class DeliveryLoop {
  private readonly lanes = new Map<Lane, LaneWake>(LANES.map((lane) => [lane, { again: false, blocked: 0 }]));
  private safety: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly options: { db: Kysely<Database>; dispatcher: Dispatcher; clock: Clock; log: Logger; safetyMs?: number },
  ) {}

  start(): void {
    this.stopped = false;
    this.options.dispatcher.resume();
    this.poke();
  }

  /** Something new was queued: look at the outbox now, every lane (a planning, an import: see `queued` for one answer's rows). */
  poke(): void {
    for (const lane of LANES) this.pokeLane(lane);
  }

  /** `queued`'s checks: one at a time, and one more after it for all asked for meanwhile. */
  private readonly checks = new FoldedRuns(() => runAs('delivery', () => this.wakeSooner()).catch(() => this.poke()));

  /**
   * A few rows were queued (an answer's seat offer or reminders, a confirmation): wakes only the
   * lanes now holding a row due before the one their timer waits for (or with no timer, or
   * draining now), after one statement for all lanes (`nextDueByLane`). A lane woken for a later
   * row wakes at least `EARLY_SEND_MAX_SECONDS` before it (early-sends.ts `wakeAt`) and sizes its
   * lead then, so it loses nothing by not being woken now; except a lane whose wake-up was sized
   * by its load (its row within twice the cap: rows added to the lump start its lead sooner),
   * which is woken as for a sooner row. `poke` drains every lane: a claim, a
   * lead and a next-due statement each, some 15–20 statements for every RSVP, check-in answer and
   * form of the national week (38,000 claims, nearly all empty). Asked for while a check runs, one
   * more runs after it for all those; should a check fail, every lane is poked. Resolves once the
   * lanes are poked (never rejects).
   */
  queued(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return this.checks.ask();
  }

  /** The due time of the row `lane`'s timer waits for; undefined while it waits for none (draining, backing off, nothing queued). */
  waitsFor(lane: Lane): Date | undefined {
    const due = this.lanes.get(lane)!.armedDue;
    return due === undefined ? undefined : new Date(due);
  }

  private async wakeSooner(): Promise<void> {
    const next = await nextDueByLane(this.options.db);
    if (this.stopped) return;
    for (const lane of LANES) {
      const wake = this.lanes.get(lane)!;
      const due = next.get(lane);
      if (due === undefined) continue;
      if (!wake.running && wake.armedDue !== undefined && !wake.armedByLoad && due.getTime() >= wake.armedDue) continue;
      this.pokeLane(lane);
    }
  }

  private pokeLane(lane: Lane): void {
    const wake = this.lanes.get(lane)!;
    if (this.stopped) return;
    if (wake.running) {
      wake.again = true;
      return;
    }
    // The whole turn, its look for the next due row and the timers it arms included, is
    // delivery work: below requests (often the ones poking), above background planning.
    wake.running = runAs('delivery', () => this.cycle(lane, wake)).finally(() => {
      wake.running = undefined;
      if (wake.again) {
        wake.again = false;
        this.pokeLane(lane);
      }
    });
  }

  private async cycle(lane: Lane, wake: LaneWake): Promise<void> {
    // The timer that woke the lane (if one did) has fired: until `arm` sets it again the lane waits
    // for no row. A drain that fails leaves it so, and `queued` then wakes it for any row, not only
    // for one due before the instant it was woken for (else only the safety re-check would).
    wake.armedDue = undefined;
    wake.armedByLoad = undefined;
    try {
      const report = await this.options.dispatcher.drainLane(lane);
      // A row that fell back to its next channel is due at once in that channel's lane.
      if (report.retried > 0) for (const other of LANES) if (other !== lane) this.pokeLane(other);
      await this.arm(lane, wake);
    } catch (error) {
      // While stopping, the database may already be closing: nothing to report then.
      if (!this.stopped) this.options.log.error({ err: error, lane }, 'delivery cycle failed; retrying at the next check');
    }
    this.armSafety();
  }

  private async arm(lane: Lane, wake: LaneWake): Promise<void> {
    this.disarm(wake);
    if (this.stopped) return;
    const due = await nextDueAt(this.options.db, lane);
    if (!due || this.stopped) return void (wake.blocked = 0);
    // Earlier when rows may go ahead of a lump (early-sends.ts): where a lead first lets one go.
    const next = await this.options.dispatcher.early.wakeAt(lane, due);
    if (this.stopped) return;
    const inMs = next.getTime() - this.options.clock.now().getTime();
    if (inMs <= 0) {
      // Due (or free to go early), yet the drain just claimed nothing: another replica holds the
      // row, or this one may not claim now (joining, a platform's Retry-After). Look again
      // soon, backing off (0.1 s, 0.2 s … 5 s), instead of asking the database in a tight loop:
      // the holder is usually sending it and records it within its send time limit.
      wake.soon = setTimeout(() => this.pokeLane(lane), Math.min(100 * 2 ** wake.blocked++, 5000));
      return;
    }
    wake.blocked = 0;
    wake.armedDue = due.getTime();
    // Asked after wakeAt (the clock on, never less): a wake-up sized by the lump's rows is woken for rows added to it.
    wake.armedByLoad = this.options.dispatcher.early.readsLoad(lane, due);
    // A clock running faster than real time (a benchmark's compressed week) reaches `next` long
    // before the real clock does: node-schedule, which waits for the real instant, would sleep
    // through it, so wait the real time this clock needs to get there.
    if (this.options.clock.rate !== undefined && this.options.clock.rate !== 1) {
      wake.soon = setTimeout(() => this.pokeLane(lane), Math.max(0, realMsUntil(this.options.clock, next)));
      return;
    }
    wake.job = schedule.scheduleJob(next, () => this.pokeLane(lane)) ?? undefined;
    // node-schedule returns null for an instant already past by its own (real) clock: a row
    // falling due between the query and this line. Without a job nothing would wake the lane
    // before the safety re-check, so wait out the rest by the injected clock.
    if (!wake.job) wake.soon = setTimeout(() => this.pokeLane(lane), Math.max(0, inMs));
  }

  private disarm(wake: LaneWake): void {
    wake.armedDue = undefined;
    wake.armedByLoad = undefined;
    wake.job?.cancel();
    wake.job = undefined;
    clearTimeout(wake.soon);
  }

  private armSafety(): void {
    clearTimeout(this.safety);
    if (this.stopped) return;
    this.safety = setTimeout(() => this.poke(), this.options.safetyMs ?? 10_000);
    this.safety.unref();
  }

  /**
   * Stops claiming at once, lets go of what is claimed and not sent, lets sends in flight end
   * or cuts them off, and resolves within `deadlineMs` (default 5 s): `docker stop` allows 10.
   */
  async stop(options: { deadlineMs?: number } = {}): Promise<void> {
    this.stopped = true;
    for (const wake of this.lanes.values()) this.disarm(wake);
    clearTimeout(this.safety);
    await this.options.dispatcher.stop(options);
    // Each lane's drain ends once the dispatcher stops; wait for that briefly, never past the deadline.
    const cycles = [...this.lanes.values()].map((w) => w.running);
    await Promise.race([Promise.allSettled(cycles), new Promise((resolve) => setTimeout(resolve, 200).unref())]);
  }
}
