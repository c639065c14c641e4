import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkModel } from './model-runs.js';

describe('the model suites’ runner', () => {
  it('should fail with the seed when a run breaks the property', async () => {
    await expect(checkModel('demo', fc.integer({ min: 0, max: 100 }), async (n) => void expect(n).toBeLessThan(50), { seed: 42, numRuns: 200, budgetMs: 10_000 })).rejects.toThrow(/seed 42 \(MODEL_SEED=42 MODEL_RUNS=\d+ repeats it\)/);
  });

  it('should stop starting runs at the time budget and pass on what ran', async () => {
    let made = 0;
    await checkModel('demo', fc.integer(), async () => void (made++, await new Promise((r) => setTimeout(r, 20))), { seed: 1, numRuns: 10_000, budgetMs: 200 });
    expect(made).toBeGreaterThan(0);
    expect(made).toBeLessThan(100);
  });
});
