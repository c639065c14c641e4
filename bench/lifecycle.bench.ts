/**
 * Lifecycle benchmarks on PostgreSQL: how long claiming one batch takes in a big outbox, how a
 * drain fares when some rows cannot be rendered, and how often an idle service asks the database
 * while one due row is locked by someone else.
 */
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { connect } from '../adapters/db/connect.js';
import { systemClock } from '../src/clock.js';
import { loadConfig } from '../src/config.js';
import { fetchClaimed, prepareClaimSession, lockDue, recordOutcomes, unlock } from '../src/delivery/claims.js';
import { Dispatcher } from '../src/delivery/dispatcher.js';
import type { DeliveryRow } from '../src/db/tables.js';
import { createLogger } from '../src/log.js';
import { startService } from '../src/main.js';
import type { Message } from '../src/ports/channel.port.js';
import { freshPostgres, postgresUrl, redact } from './databases.js';
import { seedDue } from './delivery-fixtures.js';
import { sinkSender, startSink } from './drain-support.js';
import { Report, int, ms, percentile, s, sleep, yesNo } from './support.js';

const log = createLogger('silent');

/**
 * Claim one batch of 100 from 600,000 rows of which 50,000 are due: the median of 200 claims.
 * A claim is one statement on the dispatcher's own session that locks the batch (advisory locks)
 * and returns its ids (claims.ts, lockDue); the rows' content is read in a second statement
 * (fetchClaimed, which also checks them again). Both are timed, apart and together: the goal is
 * the claim's, the dispatcher pays both. Recording the batch and unlocking it are outside the
 * timed part, as in real use (they happen after the sends); each claim therefore takes the next
 * 100 rows, as a draining dispatcher's would.
 */
export async function claimBenchmark(report: Report): Promise<void> {
  const pgUrl = await postgresUrl();
  if ('skip' in pgUrl) return report.row('claim', `skipped: ${pgUrl.skip}`, '< 1 ms', 'skipped');
  const db = await freshPostgres(pgUrl.url);
  const session = await db.openSession!();
  try {
    const seeded = performance.now();
    // In statements of 50,000: one of 550,000 outlasted the pool's 30 s query limit at load 17.
    for (let i = 0; i < 11; i++) await seedDue(db.db, 50_000, new Date(Date.now() + (30 + i) * 86_400_000), 1, `later${i}`);
    await seedDue(db.db, 50_000, new Date('2020-01-01T00:00:00Z'), 1, 'due');
    await sql`analyze deliveries`.execute(db.db);
    const holder = { session, lockClass: await prepareClaimSession(session) };
    const rtt: number[] = [];
    for (let i = 0; i < 200; i++) {
      const started = performance.now();
      await sql`select 1`.execute(session.db);
      rtt.push(performance.now() - started);
    }
    report.note(`claim: PostgreSQL at ${redact(pgUrl.url)}; 600,000 rows (50,000 due) seeded in ${s(performance.now() - seeded)}; batches of 100; load average ${loadavg().map((l) => l.toFixed(1)).join(' / ')}; a round trip (\`select 1\`) on the same session: median ${ms(percentile(rtt, 50))}.`);
    const claims: number[] = [];
    const contents: number[] = [];
    const both: number[] = [];
    for (let i = 0; i < 200; i++) {
      const now = new Date();
      const started = performance.now();
      const ids = await lockDue(holder, { now, batchSize: 100, lane: 'email', exclude: [] });
      const locked = performance.now();
      const rows = await fetchClaimed(db.db, ids, { now, lane: 'email' });
      const fetched = performance.now();
      claims.push(locked - started);
      contents.push(fetched - locked);
      both.push(fetched - started);
      if (ids.length !== 100 || rows.length !== 100) throw new Error(`claim ${i} got ${ids.length} ids, ${rows.length} rows`);
      // Untimed, as after the sends: recorded, then unlocked.
      await recordOutcomes(db.db, now, rows.map((r) => [r, { state: 'sent', sent_at: now, sent_channel: 'email', provider_id: null, last_error: null }]), holder);
      await unlock(holder, ids);
    }
    // The same claim with nothing recorded in between (each takes the same 100 rows, unlocked
    // untouched): without the 20,000 rows just sent ahead of it in the index, whose dead entries
    // the walk above steps over until vacuum, or until no open transaction anywhere still sees
    // them (on a shared database other sessions' long transactions keep them).
    const fresh: number[] = [];
    for (let i = 0; i < 200; i++) {
      const started = performance.now();
      const ids = await lockDue(holder, { now: new Date(), batchSize: 100, lane: 'email', exclude: [] });
      fresh.push(performance.now() - started);
      await unlock(holder, ids);
    }
    const { rows: horizon } = await sql<{ age: string | null }>`select max(now() - xact_start)::text as age from pg_stat_activity where backend_xmin is not null and pid <> pg_backend_pid()`.execute(db.db);
    const median = percentile(claims, 50);
    report.row(
      'claim: lock one batch of 100 from 600,000 rows (50,000 due) and return their ids, PostgreSQL, median of 200',
      `${ms(median)} (p90 ${ms(percentile(claims, 90))})`,
      '< 1 ms',
      yesNo(median < 1),
    );
    report.row(
      'claim: the same, nothing recorded between claims (the same 100 rows each time), median of 200',
      `${ms(percentile(fresh, 50))} (p90 ${ms(percentile(fresh, 90))}); oldest other open transaction at the end: ${horizon[0]?.age ?? 'none'}`,
      '—',
      '—',
    );
    report.row(
      'claim and read the 100 rows’ content (second statement, re-checked), PostgreSQL, median of 200',
      `${ms(percentile(both, 50))} (p90 ${ms(percentile(both, 90))}; the content read alone ${ms(percentile(contents, 50))})`,
      '—',
      '—',
    );
  } finally {
    await session.close();
    await db.close();
  }
}

const DRAIN_ROWS = Number(process.env.BENCH_DRAIN_ROWS ?? 100_000);

/** Drains the rows once cleanly and once with one in a hundred failing to render: rates and duplicates. */
export async function failingRenderBenchmark(report: Report): Promise<void> {
  const pgUrl = await postgresUrl();
  if ('skip' in pgUrl) return report.row('drain with failures', `skipped: ${pgUrl.skip}`, '≥ 90% of clean', 'skipped');
  const sink = await startSink();
  try {
    const rates: number[] = [];
    for (const failing of [false, true]) {
      const db = await freshPostgres(pgUrl.url);
      try {
        await seedDue(db.db, DRAIN_ROWS, new Date('2020-01-01T00:00:00Z'));
        await sql`analyze deliveries`.execute(db.db);
        const render = async (row: DeliveryRow): Promise<Message> => {
          if (failing && row.id % 100 === 0) throw new Error('cannot render this one');
          return row.payload as Message;
        };
        const dispatcher = new Dispatcher({ db: db.db, clock: systemClock, log, workerId: 'bench', batchSize: 500, render, openSession: () => db.openSession!(), senders: new Map([['email', sinkSender(sink.url)]]) });
        const before = sink.count();
        const started = performance.now();
        let error: unknown;
        await dispatcher.drain().catch((e: unknown) => (error = e));
        const took = performance.now() - started;
        await dispatcher.stop({ deadlineMs: 1000 });
        const states = await db.db.selectFrom('deliveries').select(['state', db.db.fn.countAll<number>().as('n')]).groupBy('state').execute();
        const sent = states.find((r) => r.state === 'sent')?.n ?? 0;
        const rate = Number(sent) / (took / 1000);
        rates.push(rate);
        const twice = sink.count() - before - Number(sent);
        report.row(
          `drain: ${int(DRAIN_ROWS)} due rows${failing ? ', one in a hundred failing to render' : ' (clean)'}, PostgreSQL`,
          `${int(rate)} sent per second (${s(took)}); states ${states.map((r) => `${r.state} ${int(Number(r.n))}`).join(', ')}; sent twice ${int(Math.max(0, twice))}${error ? `; the drain stopped: ${(error as Error).message}` : ''}`,
          failing ? '≥ 90% of the clean rate, none twice' : '—',
          failing ? yesNo(!error && rate >= 0.9 * rates[0]! && twice === 0) : '—',
        );
      } finally {
        await db.close();
      }
    }
  } finally {
    await sink.close();
  }
}

/** Database statements per second of an idle service whose only due row another session has claimed (holds its advisory lock). */
export async function idleQueriesBenchmark(report: Report): Promise<void> {
  const pgUrl = await postgresUrl();
  if ('skip' in pgUrl) return report.row('idle', `skipped: ${pgUrl.skip}`, '< 5 per second', 'skipped');
  const name = `bench_idle_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: pgUrl.url });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = new URL(pgUrl.url);
  url.pathname = `/${name}`;
  const service = await startService(loadConfig({ DATABASE_URL: url.toString(), PORT: '0', DATA_DIR: mkdtempSync(join(tmpdir(), 'bench-idle-')) }), log);
  const holder = new pg.Client({ connectionString: url.toString() });
  try {
    await holder.connect();
    await seedDue(service.db.db, 1, new Date(Date.now() + 2_000), 0, 'locked');
    // Another replica's claim on it: its advisory lock (claims.ts), held on the holder's session.
    await holder.query(`select pg_advisory_lock('deliveries'::regclass::oid::int, (id % 2147483648)::int) from deliveries where dedupe_key = 'locked-1'`);
    service.delivery.loop.poke();
    await sleep(3_000); // due now, and locked
    // Counted at the client: every statement the service sends (pool, notifications), and
    // nothing else. The database's own xact_commit also counts autovacuum's work on the tables
    // this fresh database just created: it said 7 a second in a run whose server log
    // (log_statement = all) showed the service sending under one statement a second.
    let statements = 0;
    const query = pg.Client.prototype.query;
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      statements++;
      return (query as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof query;
    const seconds = 10;
    try {
      await sleep(seconds * 1000);
    } finally {
      pg.Client.prototype.query = query;
    }
    const perSecond = statements / seconds;
    report.row('idle service, its one due row claimed by another session: database statements per second', `${perSecond.toFixed(1)} (over ${seconds} s)`, '< 5', yesNo(perSecond < 5));
  } finally {
    await holder.end().catch(() => undefined);
    await service.stop();
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}
