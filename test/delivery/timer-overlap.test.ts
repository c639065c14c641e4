import { afterEach, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { AcceleratedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { DeliveryService } from '../../src/delivery/delivery-service.js';
import { createLogger } from '../../src/log.js';
import { dialects, freshDatabase } from '../support/databases.js';

const log = createLogger('silent');
// One clock day in 40 real milliseconds: the daily timer fires every 40 ms, the 15-minute sweep every ~0.4 ms.
const RATE = (24 * 3600_000) / 40;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A run the test holds open, counting how many are going at once. */
class Gate {
  started = 0;
  running = 0;
  most = 0;
  private release: (() => void) | undefined;
  private held: Promise<void> | undefined;
  hold(): void {
    this.held = new Promise((resolve) => (this.release = resolve));
  }
  open(): void {
    this.release?.();
    this.held = undefined;
  }
  async run(): Promise<void> {
    this.started++;
    this.running++;
    this.most = Math.max(this.most, this.running);
    try {
      await this.held;
    } finally {
      this.running--;
    }
  }
}

/** The real service and its real timers; only the work they start is replaced by a run the test holds. */
class HeldService extends DeliveryService {
  readonly days = new Gate();
  readonly sweeps = new Gate();
  override plan(): Promise<void> {
    return this.days.run();
  }
  override planInvitations(): Promise<void> {
    return this.sweeps.run();
  }
}

async function until(what: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !what(); i++) await sleep(10);
  expect(what()).toBe(true);
}

describe.each(dialects)('The daily re-plan and the 15-minute sweep, one run at a time, on %s', (kind) => {
  let db: Db | undefined;
  let service: HeldService | undefined;
  afterEach(async () => {
    await service?.stop();
    await db?.close();
  });

  const start = async () => {
    db = await freshDatabase(kind);
    const registry = new Registry();
    service = new HeldService({ db: db.db, clock: new AcceleratedClock('2027-01-06T11:00:00Z', RATE), log, senders: new Map(), publicUrl: 'https://koop.example.org', registry, workerId: 'overlap-test' });
    return { service, registry };
  };
  const skipped = async (registry: Registry, job: string) =>
    (await registry.getSingleMetric('kooperator_planning_runs_skipped_total')?.get())?.values.find((v) => v.labels.job === job)?.value ?? 0;

  it('should skip a daily re-plan (and the sweeps) while the previous re-plan is still going, and run the next one after it', async () => {
    const { service, registry } = await start();
    await service.start(); // the start-up plan, not held
    service.days.hold();
    // Days may have passed (unheld) before the hold on a busy machine: the next one is held.
    const held = service.days.started + 1;
    await until(() => service.days.started >= held);
    const sweeps = service.sweeps.started;
    await sleep(200); // some five more days fire meanwhile
    expect(service.days.started).toBe(held);
    // Nor does the 15-minute sweep run meanwhile: the re-plan ends with the same sweep.
    expect(service.sweeps.started).toBe(sweeps);
    expect(await skipped(registry, 'sweep')).toBeGreaterThan(0);
    expect(service.days.most).toBe(1);
    expect(await skipped(registry, 'daily')).toBeGreaterThan(0);
    service.days.open();
    await until(() => service.days.started >= held + 1); // the day after the slow one still plans
    expect(service.days.most).toBe(1);
  });

  it('should skip a 15-minute sweep while the previous one is still going, and sweep again after it', async () => {
    const { service, registry } = await start();
    service.sweeps.hold();
    await service.start();
    await until(() => service.sweeps.started >= 1);
    await sleep(100); // hundreds of sweeps fire meanwhile
    expect(service.sweeps.started).toBe(1);
    expect(service.sweeps.most).toBe(1);
    expect(await skipped(registry, 'sweep')).toBeGreaterThan(0);
    service.sweeps.open();
    await until(() => service.sweeps.started >= 2);
    expect(service.sweeps.most).toBe(1);
  });
});
