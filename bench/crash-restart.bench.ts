/**
 * After a SIGKILL mid-burst, how long from the restart until the rows the dead process held are
 * sent (a claim is not stored in the row: it ended with the process's session, so those rows are
 * taken as the first 40 left pending at the kill, in due order, the order claims walk; e-mail's
 * claims are at most about 40 rows, its pace): the real service (`node bin/kooperator.js serve`, PGlite in DATA_DIR), e-mail
 * to an SMTP server on loopback that takes 20 ms per mail (so sends are in flight at the kill),
 * 1,000 due rows seeded before the start.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { sql } from 'kysely';
import { connect } from '../adapters/db/connect.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { freshPostgres, postgresUrl } from './databases.js';
import { seedDue } from './delivery-fixtures.js';
import { Report, int, s, sleep, track, yesNo } from './support.js';
import type { Db } from '../src/db/db.port.js';

const ROWS = 1_000;
const LIMIT_MS = 60_000;
/** The head of the queue left at the kill: what the dead process held (or would have taken next). */
const HELD = 40;

/** Where the service keeps its data: a PGlite folder, or a PostgreSQL schema (libpq's `options` sets the search path). */
type Place = { dataDir: string } | { databaseUrl: string; schema: string };

function serve(place: Place, smtpPort: number) {
  const where = 'dataDir' in place ? { DATA_DIR: place.dataDir } : { DATABASE_URL: schemaUrl(place.databaseUrl, place.schema), DATA_DIR: mkdtempSync(join(tmpdir(), 'bench-crash-pg-')) };
  const env = { ...process.env, ...where, PORT: '0', LOG_LEVEL: 'warn', SMTP_URL: `smtp://127.0.0.1:${smtpPort}?ignoreTLS=true`, MAIL_FROM: 'kooperator@example.org' };
  return track(spawn(process.execPath, ['bin/kooperator.js', 'serve'], { env, stdio: ['ignore', 'ignore', 'inherit'] }));
}

/** A real SMTP server on 127.0.0.1 that answers each mail after `delayMs`, keeping the subjects. */
async function slowSmtp(delayMs: number): Promise<{ port: number; subjects: string[]; inFlight: () => number; close(): Promise<void> }> {
  const subjects: string[] = [];
  let inFlight = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      inFlight++;
      simpleParser(stream).then(
        (mail) => setTimeout(() => (inFlight--, subjects.push(mail.subject ?? ''), callback()), delayMs),
        (error: Error) => (inFlight--, callback(error)),
      );
    },
  });
  server.on('error', () => undefined); // a killed client's connection resets
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.server.address() as { port: number }).port, subjects, inFlight: () => inFlight, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

function schemaUrl(databaseUrl: string, schema: string): string {
  const u = new URL(databaseUrl);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}

/** 1,000 due e-mails and a team (so the service does not import the demo, whose mails would mix in). */
async function seedOutbox(db: Db): Promise<void> {
  await seedDue(db.db, ROWS, new Date(Date.now() - 1_000));
  await sql`insert into teams (id, name, area, timezone, source) values ('bench', 'PZK Bench', 'gmina', 'Europe/Warsaw', 'bench.yaml')`.execute(db.db);
}

export async function crashRestartBenchmark(report: Report): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-crash-'));
  const seed = await connect({ pgliteDir: dataDir });
  await migrateToLatest(seed.db);
  await seedOutbox(seed);
  await seed.close();
  await crashAndRestart(report, 'PGlite', { dataDir }, () => connect({ pgliteDir: dataDir }), 10_000, '< 10 s');

  const pg = await postgresUrl();
  if ('skip' in pg) return report.row('crash on PostgreSQL', `skipped: ${pg.skip}`, '< 10 s', 'skipped');
  const db = await freshPostgres(pg.url);
  try {
    await seedOutbox(db);
    // The dead process's claims ended with its session: nothing waits for its heartbeat to go stale.
    await crashAndRestart(report, 'PostgreSQL', { databaseUrl: pg.url, schema: db.schema }, () => connect({ databaseUrl: pg.url, schema: db.schema, poolSize: 1 }), 10_000, '< 10 s');
  } finally {
    await db.close();
  }
}

async function crashAndRestart(report: Report, label: string, place: Place, open: () => Promise<Db>, goalMs: number, goal: string): Promise<void> {

  const smtp = await slowSmtp(20);
  try {
    const first = serve(place, smtp.port);
    // Killed while a mail is in flight (its row claimed), not at the moment one was answered.
    while (smtp.subjects.length < 40 || smtp.inFlight() === 0) await sleep(2);
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    const before = smtp.subjects.length;

    const look = await open();
    const claimed = await look.db.selectFrom('deliveries').select('payload').where('state', '=', 'pending').orderBy('next_attempt_at').orderBy('id').limit(HELD).execute();
    const states = await look.db.selectFrom('deliveries').select(['state', 'last_error', look.db.fn.countAll<number>().as('n')]).groupBy(['state', 'last_error']).execute();
    await look.close();
    report.note(`crash (${label}): at the kill the outbox held ${states.map((r) => `${r.state}${r.last_error ? ` (${r.last_error})` : ''} ${r.n}`).join(', ')}.`);
    const waiting = new Set(claimed.map((r) => (r.payload as { title: string }).title));
    const claimedCount = waiting.size;

    const restarted = performance.now();
    const second = serve(place, smtp.port);
    let seen = before;
    const atRestart = smtp.subjects.length;
    let tookMs: number | undefined;
    let firstMs: number | undefined;
    while (performance.now() - restarted < LIMIT_MS) {
      if (firstMs === undefined && smtp.subjects.length > atRestart) firstMs = performance.now() - restarted;
      for (const subject of smtp.subjects.slice(seen)) waiting.delete(subject);
      seen = smtp.subjects.length;
      if (waiting.size === 0) {
        tookMs = performance.now() - restarted;
        break;
      }
      await sleep(50);
    }
    second.kill('SIGTERM');
    await new Promise((resolve) => second.once('exit', resolve));
    const twice = smtp.subjects.length - new Set(smtp.subjects).size;
    report.row(
      `crash: SIGKILL after ${int(before)} of ${int(ROWS)} due e-mails (SMTP taking 20 ms per mail), restart at once, ${label}: from the restart until the first ${int(claimedCount)} rows left pending at the kill (those it held) are sent`,
      `${tookMs === undefined ? `not within ${s(LIMIT_MS)} (${int(waiting.size)} of them still unsent)` : s(tookMs)} (the restarted service's first mail at ${firstMs === undefined ? '—' : s(firstMs)}); ${int(twice)} mails sent twice in all`,
      goal,
      yesNo(claimedCount > 0 && tookMs !== undefined && tookMs < goalMs),
    );
  } finally {
    await smtp.close();
  }
}
