import { Counter, type Registry } from 'prom-client';
import type { Logger } from '../log.js';

const SKIPPED = 'kooperator_planning_runs_skipped_total';

/** The counter of timer runs skipped because the previous run was still going (one per registry). */
export function skippedRuns(registry: Registry): Counter<'job'> {
  return (
    (registry.getSingleMetric(SKIPPED) as Counter<'job'> | undefined) ??
    new Counter({ name: SKIPPED, help: 'Timer runs of planning (daily re-plan, 15-minute sweep) skipped because the previous run was still going', labelNames: ['job'] as const, registers: [registry] })
  );
}

/**
 * A timer's job that never overlaps itself. A timer fires on schedule however long its last run
 * took: on PGlite (one thread) a run slower than the interval had runs pile up until the service
 * froze (national benchmark, clock 5,040×). A run that finds the previous one going is skipped;
 * the next tick after it ends runs as usual, so nothing is lost (each run plans everything due).
 */
export class OneAtATime {
  private current: Promise<void> | undefined;
  constructor(
    private readonly job: string,
    private readonly log: Logger,
    private readonly skipped: Counter<'job'>,
    /** A skipped day is worth a line at info; a skipped 15-minute sweep (frequent on a fast clock) at debug. */
    private readonly level: 'info' | 'debug' = 'debug',
  ) {}

  get busy(): boolean {
    return this.current !== undefined;
  }

  /** Runs `work` unless a run is going (then logs, counts and returns false). Failures are the caller's to catch. */
  run(work: () => Promise<void>, onError: (error: unknown) => void): boolean {
    if (this.current) {
      this.log[this.level]({ job: this.job }, 'previous run still going: this one skipped');
      this.skipped.inc({ job: this.job });
      return false;
    }
    const going = work()
      .catch(onError)
      .finally(() => {
        if (this.current === going) this.current = undefined;
      });
    this.current = going;
    return true;
  }

  /** Skips as if busy (another job doing this one's work is going) and counts it. */
  skip(reason: string): void {
    this.log[this.level]({ job: this.job, reason }, 'run skipped');
    this.skipped.inc({ job: this.job });
  }
}

/**
 * Work told of many times that one run covers (it reads everything when it starts): at most one
 * run at a time, and one more after it for whatever was told meanwhile, which it covers since it
 * starts after them. `ask()` answers the run that will cover this call; a failed run fails only
 * those who asked for it, and the next run starts all the same.
 */
export class FoldedRuns {
  private running: Promise<void> | undefined;
  private waiting: Promise<void> | undefined;
  constructor(private readonly work: () => Promise<void>) {}

  ask(): Promise<void> {
    if (this.waiting) return this.waiting;
    const next = (this.running ?? Promise.resolve()).catch(() => undefined).then(() => {
      this.waiting = undefined;
      return this.work();
    });
    this.waiting = next;
    this.running = next;
    void next
      .catch(() => undefined)
      .finally(() => {
        if (this.running === next) this.running = undefined;
      });
    return next;
  }
}
