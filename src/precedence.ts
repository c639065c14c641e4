import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Who goes first when the service is busy (issue 17). A person waiting for an answer (an HTTP
 * request: a Slack command or interaction, a Teams activity, a feed, a page) goes before the
 * delivery dispatcher and inbound mail, which go before background planning (the re-plan,
 * invitation planning, the all.ics render). The level travels with the work through its awaits
 * (AsyncLocalStorage), so the code that shares a scarce thing (PGlite's one connection,
 * PostgreSQL's pool, the event loop) reads it where it hands the thing out, and nothing in
 * between passes it along.
 *
 * Work marks itself where it starts, in one line: `runAs('background', () => this.plan())`.
 * Unmarked work counts as interactive: that is how everything ran before (first come, first
 * served), so code nobody marked is never made to wait by this.
 */
export type Precedence = 'interactive' | 'delivery' | 'background';

const RANK: Record<Precedence, number> = { interactive: 0, delivery: 1, background: 2 };

const level = new AsyncLocalStorage<Precedence>();

/** The level of the work running now. */
export function precedence(): Precedence {
  return level.getStore() ?? 'interactive';
}

/** Runs `work` (and everything it awaits or starts) at `as`. */
export function runAs<T>(as: Precedence, work: () => T): T {
  // Outside any marked work the level is interactive already: entering a context for every HTTP
  // request (the server marks each) cost a sixtieth of a Slack command's CPU for nothing.
  if (as === 'interactive' && level.getStore() === undefined) return work();
  return level.run(as, work);
}

/** HTTP requests being answered now (incremented by the server, see interactiveStarted). */
let interactiveInFlight = 0;

/**
 * An interactive request started; call the returned function once when it ended (answered or
 * dropped). While any is in flight, background work pauses sooner (sliceMs below).
 */
export function interactiveStarted(): () => void {
  interactiveInFlight++;
  let ended = false;
  return () => {
    if (ended) return;
    ended = true;
    interactiveInFlight--;
  };
}

/** Whether a person is waiting for an answer now (a request in flight or queued at a gate). */
export function interactiveWaiting(): boolean {
  return interactiveInFlight > 0 || interactiveAtGates > 0;
}

/** Work this long (ms) between pauses when nothing interactive waits (see src/time-slices.ts). */
export const SLICE_MS = 8;
/** ... and this long when a request is in flight: its next step waits at most this much behind us. */
export const BUSY_SLICE_MS = 2;

/**
 * How long the work running now may hold the event loop before it pauses: a request's own work
 * keeps the usual slice; the dispatcher's and background turns are cut short while a request waits.
 */
export function sliceMs(): number {
  return precedence() !== 'interactive' && interactiveWaiting() ? BUSY_SLICE_MS : SLICE_MS;
}

let interactiveAtGates = 0;

interface Waiter {
  rank: number;
  enter: () => void;
}

/**
 * A limited number of holders (PGlite's one connection; PostgreSQL's pool less one for
 * background work), handed out by precedence: the waiter of the lowest rank first, in arrival
 * order within a rank. No starvation: after `maxBypass` places in a row went past the oldest
 * waiter, the oldest goes next, whatever its rank; so a steady stream of requests slows
 * background work but never stops it. (A count, not a waiting time: on a loaded machine every
 * waiter waits long, and a time limit would turn precedence back into first come, first served.)
 */
export class PrecedenceGate {
  private held = 0;
  private readonly waiters: Waiter[] = [];
  private bypassed = 0;

  constructor(
    private readonly capacity: number,
    private readonly maxBypass = 16,
  ) {}

  /** Waiters now (tests). */
  get waiting(): number {
    return this.waiters.length;
  }

  /** Waits for a place; the returned function gives it back (once). */
  async enter(as: Precedence = precedence()): Promise<() => void> {
    if (this.held < this.capacity && this.waiters.length === 0) {
      this.held++;
      return this.leaver();
    }
    const interactive = as === 'interactive';
    if (interactive) interactiveAtGates++;
    try {
      await new Promise<void>((enter) => this.waiters.push({ rank: RANK[as], enter }));
    } finally {
      if (interactive) interactiveAtGates--;
    }
    return this.leaver();
  }

  private leaver(): () => void {
    let left = false;
    return () => {
      if (left) return;
      left = true;
      const next = this.next();
      // The place passes to the next waiter directly: nobody arriving meanwhile can take it.
      if (next) next.enter();
      else this.held--;
    };
  }

  private next(): Waiter | undefined {
    if (this.waiters.length === 0) return undefined;
    // Waiters are in arrival order: the first is the oldest.
    let best = 0;
    if (this.bypassed < this.maxBypass) {
      for (let i = 1; i < this.waiters.length; i++) if (this.waiters[i]!.rank < this.waiters[best]!.rank) best = i;
    }
    this.bypassed = best === 0 ? 0 : this.bypassed + 1;
    return this.waiters.splice(best, 1)[0];
  }
}
