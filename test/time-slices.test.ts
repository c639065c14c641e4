import { setImmediate as immediate } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { TimeSlicer, forEachSliced } from '../src/time-slices.js';

/** A clock the work moves: each item "takes" `costMs`. */
function fakeTime() {
  let t = 0;
  return { now: () => t, spend: (ms: number) => void (t += ms) };
}

describe('forEachSliced', () => {
  it('should let the event loop run once a slice of work is used up, not after every item', async () => {
    const time = fakeTime();
    const seen: string[] = [];
    // Queued before the loop starts: a plain loop over synchronous work would run it only at the end.
    setImmediate(() => seen.push('other work'));
    const slicer = await forEachSliced(
      Array.from({ length: 10 }, (_, i) => i),
      (i) => {
        seen.push(`item ${i}`);
        time.spend(3);
      },
      { sliceMs: 8, now: time.now },
    );
    // 3 ms an item, 8 ms a slice: a pause before items 3, 6 and 9, and the other work ran at the first.
    expect(slicer.pauses).toBe(3);
    expect(seen.indexOf('other work')).toBe(3);
    expect(seen.filter((s) => s.startsWith('item'))).toEqual(Array.from({ length: 10 }, (_, i) => `item ${i}`));
  });

  it('should not pause while the slice lasts', async () => {
    const time = fakeTime();
    const slicer = await forEachSliced([1, 2, 3, 4], () => time.spend(1), { sliceMs: 8, now: time.now });
    expect(slicer.pauses).toBe(0);
  });

  it('should finish every item, in order, awaiting each one (real time, real pauses)', async () => {
    const done: number[] = [];
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 1);
    try {
      const slicer = await forEachSliced(
        Array.from({ length: 300 }, (_, i) => i),
        async (i) => {
          const start = performance.now();
          while (performance.now() - start < 0.2); // 0.2 ms of work
          if (i % 50 === 0) await immediate();
          done.push(i);
        },
        { sliceMs: 5 },
      );
      expect(done).toEqual(Array.from({ length: 300 }, (_, i) => i));
      expect(slicer.pauses).toBeGreaterThan(0);
      // 60 ms of work: the timer got its turns meanwhile.
      expect(ticks).toBeGreaterThan(0);
    } finally {
      clearInterval(ticker);
    }
  });

  it('should end with the error of a failing item and work on none after it, as the plain loop does', async () => {
    const time = fakeTime();
    const done: number[] = [];
    const work = async (i: number) => {
      time.spend(3);
      if (i === 5) throw new Error('item 5 failed');
      done.push(i);
    };
    await expect(forEachSliced([0, 1, 2, 3, 4, 5, 6, 7], work, { sliceMs: 8, now: time.now })).rejects.toThrow('item 5 failed');
    expect(done).toEqual([0, 1, 2, 3, 4]);
    const plain: number[] = [];
    await expect(
      (async () => {
        for (const i of [0, 1, 2, 3, 4, 5, 6, 7]) {
          if (i === 5) throw new Error('item 5 failed');
          plain.push(i);
        }
      })(),
    ).rejects.toThrow('item 5 failed');
    expect(done).toEqual(plain);
  });

  it('should start a new slice after a pause and after restart()', async () => {
    const time = fakeTime();
    const slicer = new TimeSlicer({ sliceMs: 8, now: time.now });
    time.spend(10);
    expect(slicer.due()).toBe(true);
    await slicer.tick();
    expect(slicer.pauses).toBe(1);
    expect(slicer.due()).toBe(false);
    time.spend(10);
    slicer.restart();
    expect(slicer.due()).toBe(false);
  });
});
