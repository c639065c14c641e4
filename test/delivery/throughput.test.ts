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

  it('should not measure a lane at 0 a second from a busy spell whose sends were still under way', () => {
    // A claim came back full, its sends took longer than the spell (a slow platform, pace waits,
    // a Retry-After): nothing recorded yet when the next claim came back short. That is no rate;
    // read as 0 it took the lead away (0: no lead) and a lump begun ahead waited for its due time.
    const t = new Throughput();
    t.claimed(10, 10, 0);
    t.claimed(0, 10, 1000);
    for (let ms = 1000; ms < 2000; ms += 100) t.done(ms);
    expect(t.perSecond(2000)).toBeUndefined();
    // A rate measured before is kept.
    t.claimed(10, 10, 10_000);
    for (let ms = 10_000; ms < 12_000; ms += 200) t.done(ms);
    t.claimed(3, 10, 12_000);
    t.claimed(10, 10, 20_000);
    t.claimed(0, 10, 21_500);
    expect(t.perSecond(22_000)).toBeCloseTo(5, 5);
  });
});
