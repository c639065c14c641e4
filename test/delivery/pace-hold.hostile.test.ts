import { describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import { Pacer, type PaceRule } from '../../src/delivery/pacer.js';

const slack: PaceRule = { key: 'slack', perSecond: 5, burst: 10 };
const channel = (i: number): PaceRule => ({ key: `slack:C${i}`, perSecond: 1, burst: 2 });

/**
 * Hostile review of ce75c7f (pacer.ts `hold`, a 503 with Retry-After holding a platform): what a
 * hold does to the sends booked before it, and to a clock that steps back during it.
 */
describe('a platform held for a named wait', () => {
  it('should let one send go exactly when the wait is over, though sends were booked ahead when the hold came', () => {
    const clock = new FixedClock('2027-01-04T08:00:00Z');
    const pacer = new Pacer(clock);
    // Fifteen sends to fifteen channels: Slack's burst of ten at once, five booked ahead (200 … 1000 ms).
    const booked = pacer.mark();
    const waits = Array.from({ length: 15 }, (_, i) => pacer.reserve([slack, channel(i)], 1000));
    expect(waits.map((w) => w.booked)).toEqual(Array(15).fill(true));
    expect(waits.at(-1)!.waitMs).toBe(1000);
    // One of them comes back 503, Retry-After: 5. Every send booked ahead books again
    // (dispatcher.ts pacedSend: refusedSince) and is put back, since the wait is longer than a
    // pace wait: none of them goes, so none may keep the platform waiting past the hold.
    clock.advance(50);
    pacer.hold([slack, channel(3)], 5000);
    for (let i = 10; i < 15; i++) expect(pacer.refusedSince([slack, channel(i)], booked)).toBe(true);
    clock.advance(5000);
    expect(pacer.heldMs(slack)).toBe(0);
    // Bug: the five sends that never went were still owed: the first send after the hold waited 1.2 s more.
    expect(pacer.reserve([slack, channel(20)], 1000).waitMs).toBe(0);
  });

  it('should hold no longer than the wait named when the clock steps back during the hold', () => {
    const clock = new FixedClock('2027-01-04T08:00:00Z');
    const pacer = new Pacer(clock);
    pacer.hold([slack, channel(1)], 5000);
    expect(pacer.heldMs(slack)).toBe(5000);
    // NTP steps the clock back ten minutes a second later: the platform asked for 5 s, 4 s are left.
    clock.advance(1000);
    expect([pacer.heldMs(slack), pacer.heldMs(channel(1))]).toEqual([4000, 4000]);
    clock.set(new Date(clock.now().getTime() - 10 * 60_000).toISOString());
    // Bug: the hold was a time on the old clock: Slack was held for 10 min 4 s.
    expect(pacer.heldMs(slack)).toBeLessThanOrEqual(4000);
    expect(pacer.heldMs(channel(1))).toBeLessThanOrEqual(4000);
    clock.advance(4000);
    expect(pacer.reserve([slack, channel(2)], 0)).toEqual({ waitMs: 0, booked: true });
  });

  it('should not shorten a longer hold in force, nor lower the pace, when a shorter wait is named', () => {
    const clock = new FixedClock('2027-01-04T08:00:00Z');
    const pacer = new Pacer(clock);
    pacer.hold([slack, channel(1)], 30_000);
    clock.advance(1000);
    pacer.hold([slack, channel(2)], 2000);
    expect(pacer.heldMs(slack)).toBe(29_000);
    expect(pacer.factor('slack')).toBe(1);
    // Nor do a Retry-After of 0, a negative one, NaN or Infinity do anything odd.
    for (const odd of [0, -5000, Number.NaN]) pacer.hold([slack, channel(3)], odd);
    expect(pacer.heldMs(channel(3))).toBe(0);
    pacer.hold([slack, channel(4)], Number.POSITIVE_INFINITY);
    expect(pacer.heldMs(channel(4))).toBe(3_600_000);
    expect(pacer.heldMs(slack)).toBe(3_600_000);
  });
});
