/**
 * The daily re-plan at national size (issue: planning froze HTTP on PGlite): import the national
 * schedule (bench/generate-national.ts), plan once as start-up does, then time what the next
 * day's re-plan and a 15-minute sweep cost when (almost) nothing changed, on PGlite in memory
 * (where planning froze HTTP). Prints one JSON line with the load average; `npm run bench -- replan`
 * reports the same.
 *   npx tsx bench/replan-measure.ts
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
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

/** Milliseconds (and results) of each step, with the load average at the start, before the re-plan and after. */
export async function measureReplan(): Promise<Record<string, number | string>> {
  const clock = new FixedClock('2027-01-11T05:00:00Z');
  const db = await connect({});
  const times: Record<string, number | string> = { load: loadavg().map((l) => l.toFixed(1)).join(' ') };
  const time = async (name: string, work: () => Promise<unknown>) => {
    const t0 = performance.now();
    const out = await work();
    times[name] = Math.round(performance.now() - t0);
    times[`${name}.result`] = JSON.stringify(out);
  };
  try {
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
    await rm(dir, { recursive: true, force: true });
    return times;
  } finally {
    await db.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) console.log(JSON.stringify(await measureReplan()));
