/** The only source of "now" in the core; tests move a FixedClock instead of waiting. */
export interface Clock {
  now(): Date;
  /**
   * Injected milliseconds that pass in one real millisecond, for a clock that runs by itself
   * faster than real time (a benchmark's compressed week); absent means 1. Timers that wait for
   * an instant of this clock divide by it (realMsUntil) instead of waiting for that real instant.
   */
  readonly rate?: number;
}

export const systemClock: Clock = { now: () => new Date() };

export class FixedClock implements Clock {
  private current: Date;
  constructor(start: Date | string) {
    this.current = new Date(start);
  }
  now(): Date {
    return new Date(this.current);
  }
  set(to: Date | string): void {
    this.current = new Date(to);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

/** Starts at `start` when made and runs `rate` times faster than real time from then on. */
export class AcceleratedClock implements Clock {
  private readonly startMs: number;
  constructor(
    start: Date | string,
    readonly rate: number,
    /** The real instant (epoch ms) `start` stands for: two processes sharing it share the clock. */
    readonly realStartMs: number = Date.now(),
  ) {
    this.startMs = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.startMs + (Date.now() - this.realStartMs) * this.rate);
  }
}

/** Real milliseconds until `clock` shows `instant` (negative when it already has). */
export function realMsUntil(clock: Clock, instant: Date): number {
  return (instant.getTime() - clock.now().getTime()) / (clock.rate ?? 1);
}

/** A real-time delay for a span of `clock` time (15 minutes of a clock 1,000× fast: 0.9 s). */
export const realMs = (clock: Clock, ms: number): number => ms / (clock.rate ?? 1);
