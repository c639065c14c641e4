/**
 * The daily re-plan at national size (issue: planning froze HTTP on PGlite): import the national
 * schedule (bench/generate-national.ts), plan once as start-up does, then time what the next
 * day's re-plan and a 15-minute sweep cost when (almost) nothing changed. PGlite in memory, or
 * PostgreSQL when DATABASE_URL is set. Prints one JSON line with the load average.
 *   npx tsx bench/replan-measure.ts
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { connect } from '../adapters/db/connect.js';
import { FixedClock } from '../src/clock.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { planActivityReminders } from '../src/invitations/plan-activity-reminders.js';
import { planInvitations } from '../src/invitations/plan-invitations.js';
import { planSummaries } from '../src/participation/summary-plans.js';
import { planCheckins } from '../src/reports/checkins.js';
import { importSchedules } from '../src/schedule/import-schedule.js';
import { loadScheduleFiles } from '../src/schedule/load-schedule.js';
import { generateNational } from './generate-national.js';

const clock = new FixedClock('2027-01-11T05:00:00Z');
const db = await connect(process.env.DATABASE_URL ? { databaseUrl: process.env.DATABASE_URL } : {});
const times: Record<string, number | string> = { load: loadavg().map((l) => l.toFixed(1)).join(' ') };
const time = async (name: string, work: () => Promise<unknown>) => {
  const t0 = performance.now();
  const out = await work();
  times[name] = Math.round(performance.now() - t0);
  times[`${name}.result`] = JSON.stringify(out);
};
try {
  if (process.env.DATABASE_URL) await sql`drop schema public cascade; create schema public`.execute(db.db);
  await migrateToLatest(db.db);
  const dir = await mkdtemp(join(tmpdir(), 'replan-'));
  const files: string[] = [];
  for (const f of generateNational().files) {
    const path = join(dir, f.name);
    await writeFile(path, f.yaml);
    files.push(path);
  }
  await time('import', async () => importSchedules(db.db, await loadScheduleFiles(files), { clock, defaultTimezone: 'Europe/Warsaw' }));
  await time('first checkins', () => planCheckins(db.db, { clock }));
  await time('first summaries', () => planSummaries(db.db, { clock }));
  times.deliveries = Number((await sql<{ n: string }>`select count(*) as n from deliveries`.execute(db.db)).rows[0]!.n);
  clock.advance(24 * 3600_000);
  times.loadBefore = loadavg().map((l) => l.toFixed(1)).join(' ');
  await time('next day checkins', () => planCheckins(db.db, { clock }));
  await time('next day summaries', () => planSummaries(db.db, { clock }));
  await time('sweep invitations', () => planInvitations(db.db, clock));
  await time('sweep activity reminders', () => planActivityReminders(db.db, clock));
  times.loadAfter = loadavg().map((l) => l.toFixed(1)).join(' ');
  console.log(JSON.stringify(times));
} finally {
  await db.close();
}
