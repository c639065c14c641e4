import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Registry } from 'prom-client';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { DeliveryService } from '../../src/delivery/delivery-service.js';
import { createLogger } from '../../src/log.js';
import { dialects, freshDatabase } from '../support/databases.js';

/**
 * Every RSVP started a whole invitation planning of its own (scheduleChanged), side by side with
 * the others: 1,700 answers in the national week held sending for 70 simulated hours. Changes
 * told while a run goes are covered by one more run, which starts after they were told.
 */
describe.each(dialects)('planning after answers and chat changes, one run at a time, on %s', (kind) => {
  let db: Db;
  beforeAll(async () => {
    db = await freshDatabase(kind);
  });
  afterAll(async () => db?.close());

  it('should run at most one planning at a time and one more for what was told meanwhile', async () => {
    const service = new DeliveryService({ db: db.db, clock: new FixedClock('2027-01-04T06:00:00Z'), log: createLogger('silent'), senders: new Map(), publicUrl: 'https://koop.example.org', registry: new Registry(), workerId: 'changes' });
    const gates: (() => void)[] = [];
    let going = 0;
    let most = 0;
    const runs = vi.spyOn(service, 'scheduleChanged').mockImplementation(async () => {
      most = Math.max(most, ++going);
      await new Promise<void>((resolve) => gates.push(resolve));
      going--;
    });
    const told = [service.changed(), service.changed(), service.changed()];
    await vi.waitFor(() => expect(runs).toHaveBeenCalledTimes(1));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(runs).toHaveBeenCalledTimes(1);
    // Told while the first runs: one run after it covers all three.
    told.push(service.changed(), service.changed());
    gates.shift()!();
    await vi.waitFor(() => expect(runs).toHaveBeenCalledTimes(2));
    told.push(service.changed());
    gates.shift()!();
    await vi.waitFor(() => expect(runs).toHaveBeenCalledTimes(3));
    gates.shift()!();
    await Promise.all(told);
    expect(runs).toHaveBeenCalledTimes(3);
    expect(most).toBe(1);
    // A failed run does not stop the next.
    runs.mockRejectedValueOnce(new Error('database away'));
    await expect(service.changed()).rejects.toThrow('database away');
    runs.mockResolvedValueOnce(undefined);
    await service.changed();
    expect(runs).toHaveBeenCalledTimes(5);
  });
});
