import type { Clock } from '../clock.js';
import { MAX_RETRY_AFTER_MS } from './backoff.js';

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

/** A key a platform refused lately: its pace is `base` of its setting, growing back from `at`. */
interface Slowed {
  base: number;
  /** The last refusal; recovery counts from it. */
  at: number;
  /** The last halving: only a send made after it, at the lowered pace, halves again. */
  cutAt: number;
}

/** How far a refused key's pace may fall: a sixteenth of its setting. */
const FLOOR = 1 / 16;
/** Each quiet recovery period gives back this share of the setting. */
const STEP = 1 / 8;
/** Two keys refused within this long: the platform's own limit. */
const BURST_MS = 1000;
export const DEFAULT_RECOVERY_MS = 10_000;

/**
 * Token buckets, one per key (a platform, a Slack channel, a Teams conversation), on the
 * injected clock. `reserve` books a send under every rule at once: it answers how long to wait
 * and books it only when that wait is short enough; a longer wait books nothing, and the
 * caller reschedules the send instead of holding a batch. Tokens may go below zero: that is
 * sends booked for the near future, so the next caller waits behind them.
 */
export class Pacer {
  private readonly buckets = new Map<string, Bucket>();
  private readonly slowed = new Map<string, Slowed>();
  /**
   * Keys held until a platform's Retry-After is over (clock time, capped at MAX_RETRY_AFTER_MS
   * from the refusal): a time, not a debt of tokens, so the pace recovering meanwhile cannot
   * pay it off early. Their buckets do not refill while held.
   */
  private readonly holds = new Map<string, number>();
  /** The last refused narrow key under each platform key, to tell a platform-wide limit. */
  private readonly lastRefused = new Map<string, { key: string; at: number }>();
  private readonly recoveryMs: number;

  constructor(
    private readonly clock: Clock,
    options: { recoveryMs?: number } = {},
  ) {
    this.recoveryMs = options.recoveryMs ?? DEFAULT_RECOVERY_MS;
  }

  reserve(rules: PaceRule[], maxWaitMs: number): { waitMs: number; booked: boolean } {
    const now = this.clock.now().getTime();
    let waitMs = 0;
    const buckets = rules.map((given) => {
      const rule = this.effective(given, now);
      const bucket = this.refilled(rule, now);
      const held = this.heldFor(rule.key, now);
      const short = bucket.tokens < 1 ? ((1 - bucket.tokens) / rule.perSecond) * 1000 : 0;
      waitMs = Math.max(waitMs, held + short);
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
  room(given: PaceRule, horizonMs: number): number {
    const now = this.clock.now().getTime();
    const rule = this.effective(given, now);
    const bucket = this.refilled(rule, now);
    const refilling = Math.max(0, horizonMs - this.heldFor(rule.key, now));
    return Math.max(0, Math.floor(bucket.tokens + (refilling / 1000) * rule.perSecond));
  }

  /**
   * The platform refused a send booked under `rules` (widest first: the platform, then the
   * channel or conversation): HTTP 429, SMTP 421 or 451, for a send that went out at `sentAt`.
   * The narrowest key is halved (down to a sixteenth) and held for `retryAfterMs`. Sends already
   * under way when it was halved say nothing about the new pace: only a send made after the
   * last halving halves again (as TCP halves once per round trip). The platform's own key
   * is lowered and held the same way only when two different keys under it were refused within
   * a second: that is its platform-wide limit (Slack's workspace, Teams' per-app), whereas one
   * busy channel must not slow every other. A platform with one key (e-mail) is always lowered.
   * The pace grows back by an eighth of the setting every quiet recovery period (AIMD, as TCP).
   */
  refused(rules: PaceRule[], retryAfterMs: number | undefined, sentAt?: number): void {
    const narrow = rules.at(-1);
    if (!narrow) return;
    const now = this.clock.now().getTime();
    const sent = sentAt ?? now;
    const lowered = [narrow];
    const wide = rules.length > 1 ? rules[0]! : undefined;
    if (wide) {
      const last = this.lastRefused.get(wide.key);
      if (last && last.key !== narrow.key && now - last.at < BURST_MS) lowered.push(wide);
      this.lastRefused.set(wide.key, { key: narrow.key, at: now });
    }
    for (const rule of lowered) {
      const current = this.factorAt(rule.key, now);
      const before = this.slowed.get(rule.key);
      const cut = !before || sent > before.cutAt;
      this.slowed.set(rule.key, { base: cut ? Math.max(FLOOR, current / 2) : current, at: now, cutAt: cut ? now : before.cutAt });
      if (retryAfterMs !== undefined && retryAfterMs > 0) {
        // Held: one send may go exactly when the platform's wait is over (a proxy's absurd
        // Retry-After is read as the cap: the hold must not stop a platform for years).
        const bucket = this.refilled(this.effective(rule, now), now);
        bucket.tokens = Math.min(bucket.tokens, 1);
        const until = now + Math.min(retryAfterMs, MAX_RETRY_AFTER_MS);
        this.holds.set(rule.key, Math.max(this.holds.get(rule.key) ?? 0, until));
      }
    }
  }

  /**
   * Whether a key of `rules` was refused after `at`: a send booked at `at` and still waiting was
   * booked at the old pace, and books again (dispatcher.ts `paced`).
   */
  refusedSince(rules: PaceRule[], at: number): boolean {
    return rules.some((rule) => (this.slowed.get(rule.key)?.at ?? Number.NEGATIVE_INFINITY) > at);
  }

  /** The share of its setting `key` is paced at now (1: not slowed). */
  factor(key: string): number {
    return this.factorAt(key, this.clock.now().getTime());
  }

  private factorAt(key: string, now: number): number {
    const slowed = this.slowed.get(key);
    if (!slowed) return 1;
    // The clock stepped back (NTP, a restored VM, a test): recovery counts quiet time from
    // here, rather than waiting for the clock to reach the refusal's time again.
    if (now < slowed.at) {
      slowed.at = now;
      slowed.cutAt = Math.min(slowed.cutAt, now);
    }
    const factor = Math.min(1, slowed.base + Math.floor(Math.max(0, now - slowed.at) / this.recoveryMs) * STEP);
    if (factor >= 1) this.slowed.delete(key);
    return factor;
  }

  private effective(rule: PaceRule, now: number): PaceRule {
    const factor = this.factorAt(rule.key, now);
    return factor === 1 ? rule : { ...rule, perSecond: rule.perSecond * factor, burst: Math.max(1, rule.burst * factor) };
  }

  /** How long `key` is still held for a Retry-After (0: not held). */
  private heldFor(key: string, now: number): number {
    const until = this.holds.get(key);
    if (until === undefined) return 0;
    // A hold further ahead than the cap can only be a clock that stepped back: cap it again.
    if (until - now > MAX_RETRY_AFTER_MS) this.holds.set(key, now + MAX_RETRY_AFTER_MS);
    return Math.max(0, Math.min(until, now + MAX_RETRY_AFTER_MS) - now);
  }

  private refilled(rule: PaceRule, now: number): Bucket {
    let bucket = this.buckets.get(rule.key);
    if (!bucket) {
      if (this.buckets.size >= 10_000) this.forgetIdle(now);
      bucket = { tokens: rule.burst, at: now };
      this.buckets.set(rule.key, bucket);
    }
    // Held: no refill until the hold is over, and then only for the time since.
    const until = this.holds.get(rule.key);
    const from = until === undefined ? bucket.at : Math.max(bucket.at, Math.min(until, now));
    if (until !== undefined && now >= until) this.holds.delete(rule.key);
    bucket.tokens = Math.min(rule.burst, bucket.tokens + (Math.max(0, now - from) / 1000) * rule.perSecond);
    bucket.at = now;
    return bucket;
  }

  /** Per-person keys would pile up: a bucket idle for a minute is full again and can go (its slowing too, once recovered). */
  private forgetIdle(now: number): void {
    for (const [key, bucket] of this.buckets) if (now - bucket.at > 60_000) this.buckets.delete(key);
    for (const key of this.slowed.keys()) this.factorAt(key, now);
    for (const [key, until] of this.holds) if (until <= now) this.holds.delete(key);
    for (const [key, last] of this.lastRefused) if (now - last.at > 60_000) this.lastRefused.delete(key);
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
