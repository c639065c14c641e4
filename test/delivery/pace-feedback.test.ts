import { describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import { Pacer, type PaceRule } from '../../src/delivery/pacer.js';

/**
 * The pace after a platform refused a send (429, SMTP 421/451): halved for the refused key and
 * held for Retry-After, back by an eighth of the setting every quiet recovery period. On the
 * injected clock.
 */
const platform: PaceRule = { key: 'slack', perSecond: 8, burst: 8 };
const channel = (id: string): PaceRule => ({ key: `slack:${id}`, perSecond: 1, burst: 2 });

describe('the pacer after a refusal', () => {
  it('should hold the refused channel for Retry-After and halve its pace, leaving other channels and the platform alone', () => {
    const clock = new FixedClock('2027-01-04T08:00:00Z');
    const pacer = new Pacer(clock, { recoveryMs: 10_000 });
    pacer.reserve([platform, channel('A')], 1000);
    pacer.refused([platform, channel('A')], 2000);
    expect(pacer.factor('slack:A')).toBe(0.5);
    expect(pacer.factor('slack')).toBe(1);
    // Nothing to A before the 2 s are out; B goes at once.
    expect(pacer.reserve([platform, channel('A')], 10_000).waitMs).toBeGreaterThanOrEqual(2000);
    expect(pacer.reserve([platform, channel('B')], 0)).toEqual({ waitMs: 0, booked: true });
  });

  it('should pace a halved key at half its rate and burst', () => {
    const clock = new FixedClock('2027-01-04T08:00:00Z');
    const pacer = new Pacer(clock, { recoveryMs: 10_000 });
    const rule: PaceRule = { key: 'email', perSecond: 20, burst: 20 };
    pacer.refused([rule], undefined);
    expect(pacer.factor('email')).toBe(0.5);
    // Burst 10 and 10 a second: what a claim of the next second may take.
    expect(pacer.room(rule, 1000)).toBe(20);
    const waits = Array.from({ length: 12 }, () => pacer.reserve([rule], 10_000).waitMs);
    // Burst 10 at once, then one every 1/10 s.
    expect(waits.slice(0, 10).every((w) => w === 0)).toBe(true);
    expect(waits.slice(10)).toEqual([100, 200]);
  });

  it('should halve once for the refusals of sends made before the last halving, and again for one made after it, down to a sixteenth', () => {
    const clock = new FixedClock('2027-01-04T08:00:00Z');
    const pacer = new Pacer(clock, { recoveryMs: 10_000 });
    const rule: PaceRule = { key: 'email', perSecond: 16, burst: 16 };
    const sentAt = clock.now().getTime();
    clock.advance(50);
    for (let i = 0; i < 5; i++) pacer.refused([rule], undefined, sentAt);
    expect(pacer.factor('email')).toBe(0.5);
    clock.advance(50);
    pacer.refused([rule], undefined, sentAt + 10);
    expect(pacer.factor('email')).toBe(0.5);
    for (let i = 0; i < 10; i++) {
      clock.advance(100);
      pacer.refused([rule], undefined, clock.now().getTime() - 1);
    }
    expect(pacer.factor('email')).toBe(1 / 16);
  });

  it('should tell a send booked before a refusal of its keys to book again', () => {
    const clock = new FixedClock('2027-01-04T08:00:00Z');
    const pacer = new Pacer(clock, { recoveryMs: 10_000 });
    const booked = pacer.mark();
    pacer.reserve([platform, channel('A')], 1000);
    expect(pacer.refusedSince([platform, channel('A')], booked)).toBe(false);
    clock.advance(10);
    pacer.refused([platform, channel('A')], 1000);
    expect(pacer.refusedSince([platform, channel('A')], booked)).toBe(true);
    expect(pacer.refusedSince([platform, channel('B')], booked)).toBe(false);
  });

  it('should grow back by an eighth of the setting each quiet recovery period', () => {
    const clock = new FixedClock('2027-01-04T08:00:00Z');
    const pacer = new Pacer(clock, { recoveryMs: 10_000 });
    const rule: PaceRule = { key: 'email', perSecond: 16, burst: 16 };
    pacer.refused([rule], undefined);
    expect(pacer.factor('email')).toBe(0.5);
    clock.advance(9_999);
    expect(pacer.factor('email')).toBe(0.5);
    clock.advance(1);
    expect(pacer.factor('email')).toBe(0.625);
    clock.advance(20_000);
    expect(pacer.factor('email')).toBe(0.875);
    // A refusal while recovering halves what the pace is now.
    pacer.refused([rule], undefined);
    expect(pacer.factor('email')).toBe(0.4375);
    clock.advance(50_000);
    expect(pacer.factor('email')).toBe(1);
  });

  it('should lower the platform too when several channels are refused within a second (the workspace limit)', () => {
    const clock = new FixedClock('2027-01-04T08:00:00Z');
    const pacer = new Pacer(clock, { recoveryMs: 10_000 });
    pacer.refused([platform, channel('A')], 1000);
    expect(pacer.factor('slack')).toBe(1);
    clock.advance(300);
    pacer.refused([platform, channel('B')], 1000);
    expect(pacer.factor('slack')).toBe(0.5);
    // And held for the Retry-After: C, never refused, waits too.
    expect(pacer.reserve([platform, channel('C')], 10_000).waitMs).toBeGreaterThanOrEqual(1000);
  });

  it('should not count refusals of two channels far apart in time as the workspace limit', () => {
    const clock = new FixedClock('2027-01-04T08:00:00Z');
    const pacer = new Pacer(clock, { recoveryMs: 10_000 });
    pacer.refused([platform, channel('A')], 1000);
    clock.advance(5000);
    pacer.refused([platform, channel('B')], 1000);
    expect(pacer.factor('slack')).toBe(1);
  });
});
