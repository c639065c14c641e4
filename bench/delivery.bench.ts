/**
 * Issue 4's benchmarks: planning reminders over the horizon (5,000 teams × 10 members × 3
 * offsets), draining 100,000 due deliveries through a fake transport on loopback with one and
 * two replicas, and the lateness of sends when the queue is not backlogged. PostgreSQL only
 * (the goals are PostgreSQL's). `--year` adds the whole-year plan (3.6 million rows).
 */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { systemClock } from '../src/clock.js';
import { DeliveryLoop } from '../src/delivery/delivery-loop.js';
import { Dispatcher } from '../src/delivery/dispatcher.js';
import { createLogger } from '../src/log.js';
import { freshPostgres, postgresUrl, redact } from './databases.js';
import { seedDue, seedTeams } from './delivery-fixtures.js';
import { sinkSender, startSink } from './drain-support.js';
import { Report, int, ms, percentile, s, sleep, track, yesNo } from './support.js';

const log = createLogger('silent');
const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;

/** What bench/planning-worker.ts prints for each plan. */
interface PlanFigures {
  label: 'first' | 'again' | 'daily';
  added: number;
  ms: number;
  cpuMs: number;
  before: number;
  peak: number;
}

/** Runs the three plans in a child process (its RSS is the planner's own) and returns their figures. */
async function planInChild(url: string, schema: string, days: number, at: string): Promise<PlanFigures[]> {
  const child = track(spawn(process.execPath, ['--expose-gc', '--import', 'tsx', 'bench/planning-worker.ts', url, schema, String(days), at], { stdio: ['ignore', 'pipe', 'inherit'] }));
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`the planning worker exited with ${code}`);
  return output.trim().split('\n').map((line) => JSON.parse(line) as PlanFigures);
}

export async function planningBenchmark(report: Report): Promise<void> {
  const pg = await postgresUrl();
  if ('skip' in pg) return report.row('planning', `skipped: ${pg.skip}`, '< 15 s', 'skipped');
  report.note(`planning: PostgreSQL at ${redact(pg.url)} (${pg.origin}), a fresh schema each run.`);
  const runs: { days: number; goalMs: number; label: string }[] = [{ days: 60, goalMs: 15_000, label: '60-day horizon' }];
  if (process.argv.includes('--year')) runs.push({ days: 365, goalMs: 60_000, label: 'a whole year' });
  else report.note('planning: the whole-year plan (3.6 million rows) runs with `npm run bench -- --only=planning --year`.');
  for (const run of runs) {
    const db = await freshPostgres(pg.url);
    try {
      const seeded = performance.now();
      await seedTeams(db.db, 5000, 10);
      // Fresh tables have no statistics (autovacuum would gather them soon after an import).
      await sql`analyze`.execute(db.db);
      report.note(`planning (${run.label}): 5,000 teams × 10 members seeded in SQL in ${s(performance.now() - seeded)}; clock fixed at 2027-01-01T00:00Z; planned in a child process of its own.`);
      const [first, again, daily] = await planInChild(pg.url, db.schema, run.days, '2027-01-01T00:00:00Z');
      report.row(
        `planning: ${run.label}, 5,000 teams × 10 members × 3 offsets, PostgreSQL`,
        `${s(first!.ms)} for ${int(first!.added)} rows (${int(first!.added / (first!.ms / 1000))} rows/s; CPU of the Node process ${s(first!.cpuMs)}, the rest is PostgreSQL and waiting for a core)`,
        `< ${s(run.goalMs)}`,
        yesNo(first!.ms < run.goalMs),
      );
      report.row(`planning: ${run.label}, peak RSS of the planning process`, `${mb(first!.peak)} (${mb(first!.before)} before)`, '< 300 MB', yesNo(first!.peak < 300 * 1024 * 1024));
      report.row(`planning: ${run.label}, planned again (nothing new)`, `${s(again!.ms)} (Node CPU ${s(again!.cpuMs)}), ${int(again!.added)} rows added`);
      // What the service does every day: the same data, the clock a day on, one new day at the horizon's end.
      report.row(`planning: ${run.label}, the daily re-plan a day later (nothing changed)`, `${s(daily!.ms)} (Node CPU ${s(daily!.cpuMs)}), ${int(daily!.added)} rows added`);
    } finally {
      await db.close();
    }
  }
}

const ROWS = 100_000;
const BATCH = 500;

export async function drainBenchmark(report: Report): Promise<void> {
  const pg = await postgresUrl();
  if ('skip' in pg) return report.row('drain', `skipped: ${pg.skip}`, '≥ 2,000/s', 'skipped');
  report.note(
    `drain: PostgreSQL at ${redact(pg.url)}; the fake transport is an HTTP server in the bench process on 127.0.0.1 (one keep-alive POST per message); pacing off (it measures the engine; the platforms' own limits are far lower); batches of ${BATCH}.`,
  );
  const sink = await startSink();
  try {
    for (const replicas of [1, 2]) {
      const db = await freshPostgres(pg.url);
      try {
        await seedDue(db.db, ROWS, new Date('2020-01-01T00:00:00Z'));
        await sql`analyze deliveries`.execute(db.db);
        const before = sink.count();
        const workers = Array.from({ length: replicas }, (_, i) =>
          track(spawn(process.execPath, ['--import', 'tsx', 'bench/drain-worker.ts', pg.url, db.schema, sink.url, `r${i}`, String(BATCH)], { stdio: ['pipe', 'pipe', 'inherit'] })),
        );
        const outputs = workers.map((w) => {
          let out = '';
          w.stdout!.on('data', (c) => (out += c));
          return () => out;
        });
        while (!outputs.every((o) => o().includes('ready'))) await sleep(20);
        const started = performance.now();
        for (const w of workers) w.stdin!.write('go\n');
        await Promise.all(workers.map((w) => new Promise((resolve) => w.once('exit', resolve))));
        const took = performance.now() - started;
        const sent = outputs.map((o) => JSON.parse(o().trim().split('\n').pop()!).sent as number);
        const left = await db.db.selectFrom('deliveries').select(db.db.fn.countAll<string>().as('n')).where('state', '!=', 'sent').executeTakeFirstOrThrow();
        const rate = ROWS / (took / 1000);
        report.row(
          `drain: 100,000 due deliveries, ${replicas} replica${replicas > 1 ? 's' : ''} (separate processes), PostgreSQL`,
          `${int(rate)} per second (${s(took)}; sent ${sent.map(int).join(' + ')}; at the sink ${int(sink.count() - before)}; not sent ${left.n})`,
          '≥ 2,000/s',
          yesNo(rate >= 2000 && Number(left.n) === 0),
        );
      } finally {
        await db.close();
      }
    }
    await latency(report, pg.url, sink);
  } finally {
    await sink.close();
  }
}

/** Rows falling due at 200 a second for 20 s, sent by the real loop woken by node-schedule. */
async function latency(report: Report, url: string, sink: Awaited<ReturnType<typeof startSink>>): Promise<void> {
  const db = await freshPostgres(url);
  try {
    const count = 4000;
    const spreadMs = 5;
    const first = new Date(Date.now() + 2000);
    await seedDue(db.db, count, first, spreadMs);
    const dispatcher = new Dispatcher({ db: db.db, clock: systemClock, log, workerId: 'lat', batchSize: BATCH, senders: new Map([['email', sinkSender(sink.url)]]) });
    const loop = new DeliveryLoop({ db: db.db, dispatcher, clock: systemClock, log, safetyMs: 60_000 });
    loop.start();
    const until = first.getTime() + count * spreadMs + 5000;
    for (;;) {
      await sleep(250);
      const pending = await db.db.selectFrom('deliveries').select(db.db.fn.countAll<string>().as('n')).where('state', '!=', 'sent').executeTakeFirstOrThrow();
      if (Number(pending.n) === 0 || Date.now() > until) break;
    }
    await loop.stop();
    const rows = await db.db.selectFrom('deliveries').select(['due_at', 'sent_at']).where('state', '=', 'sent').execute();
    const lateness = rows.map((r) => r.sent_at!.getTime() - r.due_at.getTime());
    const p50 = percentile(lateness, 50);
    const p99 = percentile(lateness, 99);
    report.row(
      'drain: lateness (sent − due), 200 rows falling due per second for 20 s, one replica woken by node-schedule',
      `p50 ${ms(p50)}, p99 ${ms(p99)}, max ${ms(Math.max(...lateness))} (${int(rows.length)} of ${int(count)} sent)`,
      'p99 < 1 s',
      yesNo(p99 < 1000 && rows.length === count),
    );
  } finally {
    await db.close();
  }
}
