import { performance } from 'node:perf_hooks';
import { setImmediate } from 'node:timers/promises';
import { setImmediate as setImmediateCallback } from 'node:timers';
import { SLICE_MS, sliceMs } from './precedence.js';

export { SLICE_MS };

/**
 * Long background work (the daily re-plan of thousands of teams, an invitation's fan-out, the
 * all.ics render) runs on the thread that answers requests. Counting items between pauses
 * ("yield every 25 teams") is wrong both ways: 25 cheap items waste pauses, 25 dear ones hold
 * the loop for a long time. So work pauses by time instead: after about SLICE_MS of work it lets
 * the event loop run (setImmediate: after pending I/O, so requests waiting are answered first).
 *
 * 8 ms (SLICE_MS) keeps the event loop's delay well under 20 ms while costing little: a pause is
 * a few microseconds when nothing waits. Work that is not a request's own pauses after 2 ms while
 * a request is in flight (src/precedence.ts sliceMs), so the request waits less behind it.
 */

export interface TimeSliceOptions {
  /** Work this long (ms) between pauses; default by precedence (src/precedence.ts sliceMs). */
  sliceMs?: number;
  /** For tests: what tells the time (default performance.now). */
  now?: () => number;
}

/** Tells loops when they have worked long enough to pause. One per run of work, not shared. */
export class TimeSlicer {
  private readonly sliceMs: number | undefined;
  private readonly now: () => number;
  private sliceStart: number;
  /** How many times this slicer let the event loop run (tests, benchmarks). */
  pauses = 0;

  constructor(options: TimeSliceOptions = {}) {
    this.sliceMs = options.sliceMs;
    this.now = options.now ?? (() => performance.now());
    this.sliceStart = this.now();
  }

  /** Whether this slice's time is used up (then `pause()` before the next item). */
  due(): boolean {
    return this.now() - this.sliceStart >= (this.sliceMs ?? sliceMs());
  }

  /** Lets the event loop run, and starts a new slice. */
  async pause(): Promise<void> {
    this.pauses++;
    await setImmediate();
    this.sliceStart = this.now();
  }

  /** Between two items: pauses only when the slice is used up. */
  async tick(): Promise<void> {
    if (this.due()) await this.pause();
  }

  /** The slice starts again now (after awaiting a query, which already let the loop run). */
  restart(): void {
    this.sliceStart = this.now();
  }
}

/**
 * Whether the event loop has turned since the current stretch of work began: a setImmediate
 * "marker" set at the stretch's start runs only once the loop gets back to its check phase.
 */
let stretch: { start: number; turned: boolean } | undefined;

/**
 * Pauses (setImmediate) when the event loop has not turned for `sliceMs` of work; otherwise
 * returns at once. For code that cannot tell how long it has held the loop: on PGlite every
 * statement runs synchronously on this thread and its promise resolves without I/O, so a chain
 * of awaited statements (a dispatcher batch, a re-plan's reads and writes) is one long run of
 * microtasks that never lets a request in, however small each statement is. The PGlite driver
 * calls this before every statement (adapters/db/pglite-dialect.ts).
 */
export async function pauseIfLoopHeld(slice = sliceMs()): Promise<void> {
  const now = performance.now();
  if (stretch === undefined || stretch.turned) {
    const current = { start: now, turned: false };
    stretch = current;
    setImmediateCallback(() => void (current.turned = true));
    return;
  }
  if (now - stretch.start < slice) return;
  // The marker was queued first, so it has run when this resolves: the next call starts a new stretch.
  await setImmediate();
}

/**
 * `for (const item of items) await work(item, index)`, pausing every `sliceMs` of work. The same
 * order, one item at a time; an item that throws ends the loop with its error, as the plain
 * loop would (the items after it are not worked on).
 */
export async function forEachSliced<T>(items: Iterable<T>, work: (item: T, index: number) => void | Promise<void>, options: TimeSliceOptions = {}): Promise<TimeSlicer> {
  const slicer = new TimeSlicer(options);
  let index = 0;
  for (const item of items) {
    await slicer.tick();
    await work(item, index++);
  }
  return slicer;
}

/**
 * Batch sizes by time, not count: a statement that writes thousands of rows holds PGlite's
 * thread (the one that answers requests) for its whole length. After each full batch the size
 * halves when it took more than twice `targetMs` and doubles when it took less than half, within
 * [min, max]. On PostgreSQL the same sizing costs only a few more round trips.
 */
export class BatchSizer {
  private size: number;

  constructor(
    initial: number,
    private readonly min: number,
    private readonly max: number,
    private readonly targetMs = SLICE_MS,
  ) {
    this.size = Math.min(max, Math.max(min, initial));
  }

  /** How many items the next batch should take. */
  get next(): number {
    return this.size;
  }

  /**
   * Runs one batch (`work` given the size to take) and learns from how long it took; `count`
   * says how many items the batch held (a short last batch says little).
   */
  async timed<T>(work: (size: number) => Promise<T>, count: (result: T) => number): Promise<T> {
    const started = performance.now();
    const result = await work(this.size);
    this.took(performance.now() - started, count(result));
    return result;
  }

  /** A batch of `count` items took `ms`. */
  took(ms: number, count: number): void {
    if (count < this.size) return; // a short last batch says little
    if (ms > 2 * this.targetMs) this.size = Math.max(this.min, Math.floor(this.size / 2));
    else if (ms < this.targetMs / 2) this.size = Math.min(this.max, this.size * 2);
  }
}

/**
 * `work` on consecutive chunks of `items`, each chunk sized by time (BatchSizer): one statement
 * for thousands of rows holds PGlite's thread for its whole length, where chunks of about
 * `targetMs` let requests in between them (adapters/db/pglite-dialect.ts pauses there).
 */
export async function forEachChunk<T>(items: readonly T[], work: (chunk: T[]) => Promise<unknown>, sizer = new BatchSizer(200, 20, 5000)): Promise<void> {
  for (let i = 0; i < items.length; ) {
    const chunk = items.slice(i, i + sizer.next);
    i += chunk.length;
    await sizer.timed(() => work(chunk), () => chunk.length);
  }
}
