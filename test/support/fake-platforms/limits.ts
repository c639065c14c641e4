/**
 * The two ways the platforms state their limits, as the fakes enforce them. Time is a function
 * (real milliseconds by default) so unit tests can move it.
 *
 * - `Windows`: at most `count` requests in any `perMs` (Teams: 7 per 1 s, 8 per 2 s, 60 per
 *   30 s, 1,800 per hour per conversation; 50 per second per app), all windows at once.
 * - `Bucket`: `perSecond` on average with bursts of `burst` (Slack: "1 per second per channel,
 *   short bursts allowed").
 *
 * `take` counts an accepted request and answers 0, or answers how many milliseconds until the
 * request would be accepted and counts nothing (the refused request is not charged: the real
 * platforms charge refused calls only against abuse limits, which the fakes do not model).
 */
export type Now = () => number;
export const realTime: Now = () => performance.now();

export interface Window {
  count: number;
  perMs: number;
}

export interface Limit {
  /** Milliseconds until a request under `key` would be accepted (0: now); counts nothing. */
  waitMs(key: string): number;
  /** Counts an accepted request. */
  charge(key: string): void;
}

/**
 * One request checked against several limits (a channel's and the workspace's): accepted and
 * counted by all only when all accept it, else the longest wait and nothing counted.
 */
export function take(limits: [Limit, string][]): number {
  const waitMs = Math.max(0, ...limits.map(([limit, key]) => limit.waitMs(key)));
  if (waitMs === 0) for (const [limit, key] of limits) limit.charge(key);
  return waitMs;
}

export class Windows implements Limit {
  private readonly seen = new Map<string, number[]>();
  private readonly longest: number;

  constructor(
    private readonly windows: Window[],
    private readonly now: Now = realTime,
  ) {
    this.longest = Math.max(...windows.map((w) => w.perMs));
  }

  waitMs(key: string): number {
    const now = this.now();
    const times = (this.seen.get(key) ?? []).filter((t) => now - t < this.longest);
    this.seen.set(key, times);
    let waitMs = 0;
    for (const { count, perMs } of this.windows) {
      const inside = times.filter((t) => now - t < perMs);
      // Accepted once the oldest request that keeps this window full has left it.
      if (inside.length >= count) waitMs = Math.max(waitMs, inside[inside.length - count]! + perMs - now);
    }
    return waitMs;
  }

  charge(key: string): void {
    const times = this.seen.get(key) ?? [];
    times.push(this.now());
    this.seen.set(key, times);
  }
}

export interface Rate {
  perSecond: number;
  burst: number;
}

export class Bucket implements Limit {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly rate: Rate,
    private readonly now: Now = realTime,
  ) {}

  waitMs(key: string): number {
    const bucket = this.refilled(key);
    return bucket.tokens >= 1 ? 0 : Math.max(1, ((1 - bucket.tokens) / this.rate.perSecond) * 1000);
  }

  charge(key: string): void {
    this.refilled(key).tokens -= 1;
  }

  private refilled(key: string): { tokens: number; at: number } {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.rate.burst, at: now };
    bucket.tokens = Math.min(this.rate.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.rate.perSecond);
    bucket.at = now;
    this.buckets.set(key, bucket);
    return bucket;
  }
}

/** Retry-After in whole seconds, never 0 (both Slack and the Bot Connector send integers). */
export const retryAfterSeconds = (waitMs: number) => String(Math.max(1, Math.ceil(waitMs / 1000)));

/** What a fake counted: accepted and refused requests, and when the first and last were accepted. */
export class Tally {
  accepted = 0;
  refused = 0;
  firstAt = Number.NaN;
  lastAt = Number.NaN;

  constructor(private readonly now: Now = realTime) {}

  accept(): void {
    const now = this.now();
    if (this.accepted++ === 0) this.firstAt = now;
    this.lastAt = now;
  }

  refuse(): void {
    this.refused++;
  }

  reset(): void {
    this.accepted = 0;
    this.refused = 0;
    this.firstAt = this.lastAt = Number.NaN;
  }
}
