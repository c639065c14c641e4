import type { FixedClock } from '../../src/clock.js';

/**
 * Pace waits on the injected clock, for tests of the dispatcher's timing: each wait (the
 * dispatcher's `sleep`) is a timer of its own, fired in order of its instant, the clock set to
 * that instant first. A timer fires once the process has had a moment (2 ms) to book what
 * follows, so sends share the clock as they would share real time.
 */
export class VirtualTime {
  private readonly timers: { at: number; go: () => void }[] = [];
  constructor(readonly clock: FixedClock) {}
  readonly sleep = (ms: number) => new Promise<void>((go) => this.timers.push({ at: this.clock.now().getTime() + ms, go }));

  /**
   * One step of time for work that runs by itself (replicas each woken on their own): fires the
   * earliest timer due within `ms`, or else moves the clock on by `ms`.
   */
  step(ms: number): void {
    this.timers.sort((a, b) => a.at - b.at);
    const next = this.timers[0];
    const now = this.clock.now().getTime();
    if (!next || next.at > now + ms) return void this.clock.set(new Date(now + ms));
    this.timers.shift();
    if (next.at > now) this.clock.set(new Date(next.at));
    next.go();
  }

  /** Runs `work`, firing its timers in time order (each once the process has had a moment to book what follows it). */
  async run<T>(work: Promise<T>): Promise<T> {
    let over = false;
    const done = work.finally(() => (over = true));
    // Its failure is the caller's, once it is returned; meanwhile it is not an unhandled rejection.
    done.catch(() => undefined);
    while (!over) {
      await new Promise((resolve) => setTimeout(resolve, 2));
      if (over || this.timers.length === 0) continue;
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers.shift()!;
      if (next.at > this.clock.now().getTime()) this.clock.set(new Date(next.at));
      next.go();
    }
    return done;
  }
}
