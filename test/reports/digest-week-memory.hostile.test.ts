import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import type { DeliveryRow } from '../../src/db/tables.js';
import { dialects, demoDatabase } from '../support/databases.js';

/** Every occurrences array the digest asked for, held weakly: what is still reachable after a gc is kept by someone. */
const made = vi.hoisted(() => [] as { week: string; ref: WeakRef<object> }[]);
const current = vi.hoisted(() => ({ week: '' }));
vi.mock('../../src/reminders/occurrence-window.js', async (original) => {
  const real = await original<typeof import('../../src/reminders/occurrence-window.js')>();
  return {
    ...real,
    occurrencesIn: (...args: Parameters<typeof real.occurrencesIn>) => {
      const found = real.occurrencesIn(...args);
      made.push({ week: current.week, ref: new WeakRef(found) });
      return found;
    },
  };
});
const { renderDigest } = await import('../../src/reports/digest.js');

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/**
 * Hostile: the occurrences kept for a week's digests (2,857 teams: ~7 MB a week, measured) are
 * of no use once the next week's digest is rendered, yet were kept until 20,000 entries had
 * piled up: seven weeks, ~48 MB of a 512 MB heap held for good (issue 17 counted 8 MB).
 */
describe.each(dialects)('the occurrences kept for the digest on %s', (kind) => {
  let db: Db;
  const clock = new FixedClock('2027-03-10T12:00:00Z');

  beforeAll(async () => {
    db = await demoDatabase(kind, clock);
  }, 120_000);
  afterAll(async () => db?.close());

  it('should let go of a week\'s occurrences once digests of two later weeks were rendered', async () => {
    made.length = 0;
    // Other weeks on each database: what the first one's run kept would answer the second's.
    const weeks = kind === 'pglite' ? ['2027-03-15', '2027-03-22', '2027-03-29'] : ['2027-04-12', '2027-04-19', '2027-04-26'];
    for (const week of weeks) {
      current.week = week;
      await renderDigest(db.db, {} as DeliveryRow, { type: 'digest', week }, 'pl');
      // Twice in a week: the second is answered from what was kept (the reason for keeping it).
      const before = made.length;
      await renderDigest(db.db, {} as DeliveryRow, { type: 'digest', week }, 'en');
      expect(made.length).toBe(before);
    }
    await new Promise((resolve) => setTimeout(resolve, 0));
    gc();
    const alive = (week: string) => made.filter((m) => m.week === week && m.ref.deref() !== undefined).length;
    expect(made.filter((m) => m.week === weeks[0]).length).toBeGreaterThan(0);
    expect(alive(weeks[0]!)).toBe(0);
  });
});
