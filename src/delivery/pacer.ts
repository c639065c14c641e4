import type { Clock } from '../clock.js';
import { MAX_RETRY_AFTER_MS } from './backoff.js';

/** At most `perSecond` sends on average under `key`, with bursts of up to `burst`. */
export interface PaceRule {
  key: string;
  perSecond: number;
  burst: number;
}

interface Bucket {
  /** Tokens at `at`: now, or the moment of the last send booked ahead. */
  tokens: number;
  at: number;
  /** The clock when the bucket was last looked at: a clock that steps back moves `at` with it. */
  seen: number;
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
 * caller reschedules the send instead of holding a batch. Tokens of a platform-wide key may go
 * below zero: that is sends booked for the near future, so the next caller waits behind them.
 * The narrowest key (a channel) is charged at the moment its send will go instead (see reserve).
 */
export class Pacer {
  private readonly buckets = new Map<string, Bucket>();
  private readonly slowed = new Map<string, Slowed>();
  /**
   * Keys held until a platform's Retry-After is over (clock time, capped at MAX_RETRY_AFTER_MS
   * from the refusal): a time, not a debt of tokens, so the pace recovering meanwhile cannot
   * pay it off early. Their buckets do not refill while held. `seen`: the clock when it was last
   * looked at (a clock that steps back moves `until` with it).
   */
  private readonly holds = new Map<string, { until: number; seen: number }>();
  /**
   * Refusals and holds so far, counted: a booking's `mark` is the count when it was made, and a
   * key refused or held after it has a higher one (`changed`). A count, not a time: a refusal in
   * the same millisecond as a booking, or after the clock stepped back, is still after it.
   */
  private changes = 0;
  /** Per key, the count at its last refusal or hold (`refusedSince`). */
  private readonly changed = new Map<string, number>();
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
    let at = now;
    const buckets = rules.map((given) => {
      const rule = this.effective(given, now);
      const bucket = this.refilled(rule, now);
      const from = this.refillsFrom(rule.key, bucket, now);
      at = Math.max(at, from + (bucket.tokens < 1 ? ((1 - bucket.tokens) / rule.perSecond) * 1000 : 0));
      return { rule, bucket, from };
    });
    const waitMs = at - now;
    if (waitMs > maxWaitMs) return { waitMs: Math.ceil(waitMs), booked: false };
    // The narrowest key (a channel, a conversation) is charged at the moment the send will go:
    // a send held back by the platform-wide bucket must not count as sent earlier, or the
    // channel's next send, held back less, would follow it closer than the channel's pace allows
    // (a steady platform-wide queue made Slack refuse channels). The wider keys are charged now
    // (their tokens go below zero: sends booked ahead), so that one channel's wait (a hold)
    // keeps no other channel waiting.
    buckets.forEach(({ rule, bucket, from }, i) => {
      if (i < buckets.length - 1 || buckets.length === 1) return void (bucket.tokens -= 1);
      bucket.tokens = Math.min(rule.burst, bucket.tokens + (Math.max(0, at - from) / 1000) * rule.perSecond) - 1;
      bucket.at = at;
    });
    return { waitMs: Math.ceil(waitMs), booked: true };
  }

  /** From when `bucket` (its state at `bucket.at`, now or a booked send ahead) fills again: not before a Retry-After hold is over. */
  private refillsFrom(key: string, bucket: Bucket, now: number): number {
    return Math.max(bucket.at, now + this.heldFor(key, now));
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
    const refilling = Math.max(0, now + horizonMs - this.refillsFrom(rule.key, bucket, now));
    return Math.max(0, Math.floor(bucket.tokens + (refilling / 1000) * rule.perSecond));
  }

  /**
   * How long (clock ms) until `room(given, horizonMs)` reaches `want`: when the next batch of a
   * lane may be claimed so that none of its rows waits longer than `horizonMs` (dispatcher.ts,
   * the prefetch). 0 when there is room already.
   */
  msUntilRoom(given: PaceRule, horizonMs: number, want: number): number {
    const now = this.clock.now().getTime();
    const rule = this.effective(given, now);
    const bucket = this.refilled(rule, now);
    // room(now + t) = tokens + (now + t + horizon - refillsFrom) × rate.
    const ms = ((want - bucket.tokens) / rule.perSecond) * 1000 - horizonMs + this.refillsFrom(rule.key, bucket, now) - now;
    return Math.max(0, Math.ceil(ms));
  }

  /** Messages a second `given` allows now: its setting as lowered by refusals, 0 while a Retry-After holds it (the pace gauge on /metrics). */
  paceNow(given: PaceRule): number {
    const now = this.clock.now().getTime();
    return this.heldFor(given.key, now) > 0 ? 0 : this.effective(given, now).perSecond;
  }

  /** How long (clock ms) a Retry-After still holds `given` (0: not held). */
  heldMs(given: PaceRule): number {
    return this.heldFor(given.key, this.clock.now().getTime());
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
      this.changed.set(rule.key, ++this.changes);
      if (retryAfterMs !== undefined && retryAfterMs > 0) this.holdKey(rule, now, retryAfterMs);
    }
  }

  /**
   * The platform refused a send under `rules` for another reason than pace (a 503, an overloaded
   * proxy) and named its wait (Retry-After): every key of the send, the platform's own too, is
   * held for that wait, as after a refusal for pace, but its pace is not lowered: "come back in
   * N seconds" says nothing of how fast to send then. Without the hold only the refused row
   * waited, and the lane went on sending the platform's other rows through the wait.
   */
  hold(rules: PaceRule[], retryAfterMs: number): void {
    if (!(retryAfterMs > 0)) return;
    const now = this.clock.now().getTime();
    for (const rule of rules) this.holdKey(rule, now, retryAfterMs);
  }

  private holdKey(rule: PaceRule, now: number, retryAfterMs: number): void {
    // Held: one send may go exactly when the platform's wait is over (a proxy's absurd
    // Retry-After is read as the cap: the hold must not stop a platform for years). Sends booked
    // ahead (tokens below one) are not owed: each books again (refusedSince) and is put back, so
    // none of them goes at its old turn, and their debt would only delay the first send after
    // the hold (by up to the longest pace wait).
    const bucket = this.refilled(this.effective(rule, now), now);
    bucket.tokens = 1;
    const until = now + Math.min(retryAfterMs, MAX_RETRY_AFTER_MS);
    this.holds.set(rule.key, { until: Math.max(this.holdOf(rule.key, now)?.until ?? 0, until), seen: now });
    this.changed.set(rule.key, ++this.changes);
  }

  /** The hold of `key`, its times moved back with the clock if the clock stepped back since (as a bucket's sends booked ahead). */
  private holdOf(key: string, now: number): { until: number; seen: number } | undefined {
    const hold = this.holds.get(key);
    if (hold && now < hold.seen) hold.until -= hold.seen - now;
    if (hold) hold.seen = now;
    return hold;
  }

  /** The mark of a booking made now (taken just before `reserve`), for `refusedSince`. */
  mark(): number {
    return this.changes;
  }

  /**
   * Whether a key of `rules` was refused or held after the booking `mark` was taken for: a send
   * booked then and still waiting was booked at the old pace, or before the hold, and books again
   * (dispatcher.ts `pacedSend`). Told by times (`> booked at`), a refusal in the booking's own
   * millisecond was not after it, and the send went at its old turn, into the hold
   * (test/delivery/pace-rebook-same-ms.test.ts).
   */
  refusedSince(rules: PaceRule[], mark: number): boolean {
    return rules.some((rule) => (this.changed.get(rule.key) ?? 0) > mark);
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
    const hold = this.holdOf(key, now);
    if (hold === undefined) return 0;
    const { until } = hold;
    // A hold further ahead than the cap can only be a clock that stepped back: cap it again.
    if (until - now > MAX_RETRY_AFTER_MS) hold.until = now + MAX_RETRY_AFTER_MS;
    return Math.max(0, Math.min(until, now + MAX_RETRY_AFTER_MS) - now);
  }

  private refilled(rule: PaceRule, now: number): Bucket {
    let bucket = this.buckets.get(rule.key);
    if (!bucket) {
      if (this.buckets.size >= 10_000) this.forgetIdle(now);
      bucket = { tokens: rule.burst, at: now, seen: now };
      this.buckets.set(rule.key, bucket);
    }
    // The clock stepped back: sends booked ahead are as far ahead as they were.
    if (now < bucket.seen) bucket.at -= bucket.seen - now;
    bucket.seen = now;
    const until = this.holdOf(rule.key, now)?.until;
    // A send booked ahead: the bucket's state is that moment's, nothing to add before it.
    if (bucket.at >= now) {
      if (until !== undefined && now >= until) this.holds.delete(rule.key);
      return bucket;
    }
    // Held: no refill until the hold is over, and then only for the time since.
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
    for (const [key, hold] of this.holds) if (hold.until <= now) this.holds.delete(key);
    for (const [key, last] of this.lastRefused) if (now - last.at > 60_000) this.lastRefused.delete(key);
    // A key idle for a minute has no send booked and still waiting to ask refusedSince.
    for (const key of this.changed.keys()) if (!this.buckets.has(key)) this.changed.delete(key);
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
