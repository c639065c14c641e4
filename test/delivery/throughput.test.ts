import { describe, expect, it } from 'vitest';
import { Throughput } from '../../src/delivery/throughput.js';

/** A lane's measured throughput, the lead's rate where the machine binds (docs/delivery-engine.md, "The lead"). */
describe('the measured throughput of a lane', () => {
  it('should know nothing until its claims came back full for a second', () => {
    const t = new Throughput();
    t.claimed(3, 40, 0);
    for (let ms = 0; ms < 5000; ms += 10) t.done(ms);
    expect(t.perSecond(5000)).toBeUndefined();
    t.claimed(40, 40, 5000);
    for (let ms = 5000; ms < 5500; ms += 10) t.done(ms);
    expect(t.perSecond(5500)).toBeUndefined();
  });

  it('should count what was recorded per second over the last 10 s of full claims, and keep it once the lane has less to send', () => {
    const t = new Throughput();
    t.claimed(40, 40, 0);
    // 7 a second for 30 s: the machine, not the pace, binds.
    for (let ms = 0; ms < 30_000; ms += 1000 / 7) t.done(ms);
    expect(t.perSecond(30_000)).toBeCloseTo(7, 0);
    t.claimed(2, 40, 30_000);
    for (let ms = 30_000; ms < 40_000; ms += 10) t.done(ms);
    expect(t.perSecond(60_000)).toBeCloseTo(7, 0);
  });
});
