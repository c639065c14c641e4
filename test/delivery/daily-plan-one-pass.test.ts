import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Registry } from 'prom-client';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { DeliveryService } from '../../src/delivery/delivery-service.js';
import { createLogger } from '../../src/log.js';
import { planSummaries } from '../../src/participation/summary-plans.js';
import { planReminders } from '../../src/reminders/plan-reminders.js';
import { planCheckins } from '../../src/reports/checkins.js';
import { dialects, demoDatabase } from '../support/databases.js';

// What the daily plan costs in loads of every team and expansions of a series, which its rows do not show.
const counts = vi.hoisted(() => ({ loadsOfAll: 0, expansions: 0 }));
vi.mock('../../src/feeds/feed-data.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/feeds/feed-data.js')>();
  return { ...actual, loadTeams: ((db, ids) => (ids === undefined && counts.loadsOfAll++, actual.loadTeams(db, ids))) as typeof actual.loadTeams };
});
vi.mock('../../src/domain/occurrences.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/domain/occurrences.js')>();
  return { ...actual, expandSeries: ((...args) => (counts.expansions++, actual.expandSeries(...args))) as typeof actual.expandSeries };
});

const log = createLogger('silent');
const DAY = 86_400_000;

/**
 * The daily re-plan loaded and expanded every team's series once for reminders, once for
 * check-ins and once for summaries (at national size, 2,857 teams three times a simulated day).
 * One pass serves the three, each kind from its own mark, with the rows the three plans made.
 */
describe.each(dialects)('the daily plan of reminders, check-ins and summaries in one pass on %s', (kind) => {
  let one: Db;
  let apart: Db;
  const clock = new FixedClock('2027-01-04T06:00:00Z');
  const service = (db: Db) =>
    new DeliveryService({ db: db.db, clock, log, senders: new Map(), publicUrl: 'https://koop.example.org', registry: new Registry(), workerId: 'plan-test', horizonDays: 14 });
  const rows = async (db: Db) =>
    (await db.db.selectFrom('deliveries').select(['dedupe_key', 'due_at']).where('kind', 'in', ['reminder', 'checkin', 'attendance_summary']).orderBy('dedupe_key').execute()).map(
      (r) => `${r.dedupe_key} ${r.due_at.toISOString()}`,
    );
  const teams = async (db: Db) => (await db.db.selectFrom('teams').select('id').where('removed_at', 'is', null).execute()).length;

  beforeAll(async () => {
    one = await demoDatabase(kind, clock);
    apart = await demoDatabase(kind, clock);
  }, 120_000);
  afterAll(async () => {
    await one?.close();
    await apart?.close();
  });

  it('should load every team once and expand each series once, and plan what the three plans apart plan', async () => {
    // Marks of different ages: reminders and check-ins planned a week ago, summaries never.
    for (const db of [one, apart]) for (const plan of [planReminders, planCheckins]) await plan(db.db, { clock, horizonDays: 14 });
    clock.advance(7 * DAY);

    counts.loadsOfAll = 0;
    counts.expansions = 0;
    await service(one).plan();
    expect(counts.loadsOfAll).toBe(1);
    // occurrencesIn expands twice: the window, and the days before it for meetings a holiday shifted into it.
    expect(counts.expansions).toBe(2 * (await teams(one)));

    for (const plan of [planReminders, planCheckins, planSummaries]) await plan(apart.db, { clock, horizonDays: 14 });
    const planned = await rows(one);
    expect(planned.some((r) => r.startsWith('attendance-summary:'))).toBe(true);
    expect(planned.some((r) => r.startsWith('checkin:'))).toBe(true);
    expect(planned).toEqual(await rows(apart));
  });
});
