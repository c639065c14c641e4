import { describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import { Pacer, type PaceRule } from '../../src/delivery/pacer.js';

/**
 * docs/delivery-engine.md: the refused channel "is halved … and held until `Retry-After` is
 * over". The hold is booked as a debt of tokens at the halved rate; the pace recovering during
 * the hold must not pay that debt off early.
 */
const slack: PaceRule = { key: 'slack', perSecond: 5, burst: 10 };
const channelA: PaceRule = { key: 'slack:A', perSecond: 1, burst: 2 };

describe('a refused channel held for a Retry-After longer than the recovery period', () => {
  it('should send nothing to the channel before a 60 s Retry-After is over, though the pace recovers every 10 s', () => {
    const clock = new FixedClock('2027-01-04T08:00:00Z');
    const pacer = new Pacer(clock, { recoveryMs: 10_000 });
    pacer.refused([slack, channelA], 60_000);
    clock.advance(45_000);
    const { waitMs } = pacer.reserve([slack, channelA], 60_000);
    // 15 s of the platform's wait are left.
    expect(waitMs).toBeGreaterThanOrEqual(15_000);
  });
});
