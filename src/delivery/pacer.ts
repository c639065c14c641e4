import type { Clock } from '../clock.js';

/** At most `perSecond` sends on average under `key`, with bursts of up to `burst`. */
export interface PaceRule {
  key: string;
  perSecond: number;
  burst: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Token buckets, one per key (a platform, a Slack channel, a Teams conversation), on the
 * injected clock. `reserve` books a send under every rule at once: it answers how long to wait
 * and books it only when that wait is short enough; a longer wait books nothing, and the
 * caller reschedules the send instead of holding a batch. Tokens may go below zero: that is
 * sends booked for the near future, so the next caller waits behind them.
 */
export class Pacer {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly clock: Clock) {}

  reserve(rules: PaceRule[], maxWaitMs: number): { waitMs: number; booked: boolean } {
    const now = this.clock.now().getTime();
    let waitMs = 0;
    const buckets = rules.map((rule) => {
      const bucket = this.refilled(rule, now);
      if (bucket.tokens < 1) waitMs = Math.max(waitMs, ((1 - bucket.tokens) / rule.perSecond) * 1000);
      return bucket;
    });
    if (waitMs > maxWaitMs) return { waitMs: Math.ceil(waitMs), booked: false };
    for (const bucket of buckets) bucket.tokens -= 1;
    return { waitMs: Math.ceil(waitMs), booked: true };
  }

  /**
   * How many sends `rule` allows now and within the next `horizonMs`, without booking them:
   * what a claim may take so that none of its rows has to be put back for later (a row put back
   * gets a later due time and would fall behind rows queued after it).
   */
  room(rule: PaceRule, horizonMs: number): number {
    const bucket = this.refilled(rule, this.clock.now().getTime());
    return Math.max(0, Math.floor(bucket.tokens + (horizonMs / 1000) * rule.perSecond));
  }

  private refilled(rule: PaceRule, now: number): Bucket {
    let bucket = this.buckets.get(rule.key);
    if (!bucket) {
      if (this.buckets.size >= 10_000) this.forgetIdle(now);
      bucket = { tokens: rule.burst, at: now };
      this.buckets.set(rule.key, bucket);
    }
    bucket.tokens = Math.min(rule.burst, bucket.tokens + (Math.max(0, now - bucket.at) / 1000) * rule.perSecond);
    bucket.at = now;
    return bucket;
  }

  /** Per-person keys would pile up: a bucket idle for a minute is full again and can go. */
  private forgetIdle(now: number): void {
    for (const [key, bucket] of this.buckets) if (now - bucket.at > 60_000) this.buckets.delete(key);
  }
}

/**
 * This replica's part of each limit when `replicas` share it. A burst below one send would
 * never let anything through, so each keeps at least one: only the first burst of N replicas
 * together can exceed a limit's own burst, never its rate.
 */
export function shareOf(rules: PaceRule[], replicas: number): PaceRule[] {
  if (replicas <= 1) return rules;
  return rules.map((rule) => ({ ...rule, perSecond: rule.perSecond / replicas, burst: Math.max(1, rule.burst / replicas) }));
}
