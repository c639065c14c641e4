import { describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import { Pacer, type PaceRule } from '../../src/delivery/pacer.js';

/**
 * The clock stepped back (NTP, a VM restored, the injected clock set back): the recovery after
 * a refusal counts quiet time, and must not wait for the clock to reach the refusal's time again.
 */
describe('the pace after the clock went back', () => {
  it('should recover a halved pace after the recovery periods have passed, though the clock stepped back an hour after the refusal', () => {
    const clock = new FixedClock('2027-01-04T08:00:00Z');
    const pacer = new Pacer(clock, { recoveryMs: 10_000 });
    const rule: PaceRule = { key: 'email', perSecond: 16, burst: 16 };
    pacer.refused([rule], undefined);
    expect(pacer.factor('email')).toBe(0.5);
    clock.set('2027-01-04T07:00:00Z');
    // Five quiet minutes later: four periods of 10 s would have been enough.
    for (let i = 0; i < 30; i++) {
      clock.advance(10_000);
      pacer.reserve([rule], 1000);
    }
    expect(pacer.factor('email')).toBe(1);
  });
});
