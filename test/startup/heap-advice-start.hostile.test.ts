import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import type { RunningService } from '../../src/main.js';

// The count behind the advice never answers (on PostgreSQL: a lock on people, up to the 30 s
// query timeout; test/startup/heap-advice.hostile.test.ts shows the wait).
const counted = vi.hoisted(() => ({ calls: 0 }));
vi.mock('../../src/service-startup.js', async (original) => ({
  ...(await original<typeof import('../../src/service-startup.js')>()),
  adviseOnHeap: () => (counted.calls++, new Promise<void>(() => undefined)),
}));

describe('heap advice at start, hostile: a count that does not answer', () => {
  let service: RunningService | undefined;
  afterAll(async () => service?.stop());

  it('should not hold back startService (the service is ready and sending; its stop is not wired until it returns)', async () => {
    const { startService } = await import('../../src/main.js');
    const starting = startService(loadConfig({ DATA_DIR: mkdtempSync(join(tmpdir(), 'koop-heap-')), PORT: '0' }), createLogger('silent'), new FixedClock('2027-01-04T08:00:00Z'));
    starting.then((s) => (service = s), () => undefined);
    const first = await Promise.race([starting.then(() => 'started'), new Promise((resolve) => setTimeout(() => resolve('still starting'), 25_000))]);
    expect(counted.calls).toBe(1);
    expect(first).toBe('started');
  }, 40_000);
});
