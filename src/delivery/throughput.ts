/** How long a lane's busy sending is measured over. */
const WINDOW_MS = 10_000;
/** A measurement over less busy time than this says little (a burst alone): none yet. */
const LEAST_MS = 1000;

/**
 * A lane's measured throughput: messages recorded per second over the last 10 s in which its
 * claims came back full, i.e. it had more to send than it could (docs/delivery-engine.md, "The
 * lead"). Where the machine, not the platform's pace, binds (a compressed benchmark week, a
 * busy CPU), the lead is sized on this; a lane that never had more than it could send has none.
 */
export class Throughput {
  /** Since when the lane's claims come back full (undefined: the last one did not). */
  private busySince: number | undefined;
  /** Instants of rows recorded while busy, within the window. */
  private recorded: number[] = [];
  private last: number | undefined;

  /** A claim came back with `rows` of the `asked` it could take. */
  claimed(rows: number, asked: number, now: number): void {
    if (rows >= asked && asked > 0) {
      if (this.busySince === undefined || now < this.busySince) {
        this.busySince = now;
        this.recorded = [];
      }
      return;
    }
    this.measure(now);
    this.busySince = undefined;
  }

  /** A row's outcome is known (sent, failed, retried). */
  done(now: number): void {
    if (this.busySince === undefined) return;
    this.recorded.push(now);
    if (this.recorded.length > 4096) this.recorded = this.recorded.filter((at) => at > now - WINDOW_MS);
  }

  /** Messages a second when last busy for long enough (undefined: never measured). */
  perSecond(now: number): number | undefined {
    this.measure(now);
    return this.last;
  }

  private measure(now: number): void {
    if (this.busySince === undefined) return;
    const from = Math.max(this.busySince, now - WINDOW_MS);
    if (now - from < LEAST_MS) return;
    const n = this.recorded.filter((at) => at >= from && at <= now).length;
    // Nothing recorded in a busy spell is no rate: its sends were still under way (a slow
    // platform, pace waits, a Retry-After). Read as 0 it would take the lead away (0: no lead),
    // and a lump begun ahead would wait for its due time (test/delivery/early-pause.hostile.test.ts).
    if (n === 0) return;
    this.last = n / ((now - from) / 1000);
  }
}
