import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/http/metrics.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const gauge = (text: string, name: string) => {
  const match = new RegExp(`^kooperator_event_loop_delay_${name}_seconds (\\S+)$`, 'm').exec(text);
  return match ? Number(match[1]) : undefined;
};

describe('event loop delay on /metrics', () => {
  it('should show p50, p99 and max of the delay since the previous scrape, a stalled loop in the scrape after it only', async () => {
    const { registry, eventLoopDelay } = createMetrics();
    try {
      await sleep(50);
      await registry.metrics(); // starts the window
      await sleep(30);
      const start = performance.now();
      while (performance.now() - start < 300); // the loop held for 300 ms
      await sleep(50);
      const stalled = await registry.metrics();
      expect(stalled).toContain('# TYPE kooperator_event_loop_delay_p99_seconds gauge');
      expect(gauge(stalled, 'max')).toBeGreaterThanOrEqual(0.25);
      expect(gauge(stalled, 'p50')).toBeLessThan(gauge(stalled, 'max')!);
      expect(gauge(stalled, 'p99')).toBeGreaterThanOrEqual(gauge(stalled, 'p50')!);
      await sleep(100);
      const after = await registry.metrics();
      expect(gauge(after, 'max')).toBeLessThan(0.25);
    } finally {
      eventLoopDelay.stop();
    }
  });
});
