/**
 * Child process of the `busy` benchmark (issue 17): the real service (startService) with Slack
 * over HTTP and e-mail to a local SMTP sink, both fakes at the network edge, on the 5,000-team
 * file and 4,500 more teams of two members each made in SQL. Tells the parent its URL over IPC; on `{ busy: seconds }` runs the background work of a
 * hard day for that long and answers `{ done }` with what it did:
 *
 *   (a) a conference for 5,000 people (the first 500 teams) is added and planned, and its
 *       invitations drain through the real dispatcher to the SMTP sink, a new one each time the
 *       last is planned;
 *   (b) the daily re-plan of all 5,000 teams (DeliveryService.plan, what the daily job runs),
 *       each time with the teams' marks dropped, so every team is planned over the whole horizon
 *       (the day after an import; a quiet day's re-plan does much less);
 *   (c) a schedule change (one team's meeting place) and all.ics rendered again from nothing.
 *
 *   DATABASE_URL set = PostgreSQL, else PGlite in DATA_DIR; BENCH_SCHEDULE the file.
 */
import { appendFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'kysely';
import { SMTPServer } from 'smtp-server';
import { FixedClock } from '../src/clock.js';
import { loadConfig } from '../src/config.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { createLogger } from '../src/log.js';
import { openDatabase, startService, type RunningService } from '../src/main.js';
import { importSchedules } from '../src/schedule/import-schedule.js';
import { loadScheduleFiles } from '../src/schedule/load-schedule.js';
import { seedTeams } from './delivery-fixtures.js';
import { DEFAULT_ZONE, TEAMS as FILE_TEAMS } from './fixtures.js';
import { generatedMemberEmail } from './generate-schedule.js';
import { serveUntilStopped } from './support.js';
import { FakeSlack } from '../test/support/fake-platforms/slack.js';

export const SIGNING_SECRET = 'bench-signing-secret-0123456789abcdef';
/** 07:00 in Warsaw, after quiet hours: invitations go out at once. */
const NOW = '2027-01-01T06:00:00.000Z';
/** All teams: the 500 of the generated file (team-0001…) and 4,500 made in SQL (team-00001…). */
export const TEAMS = 5000;
/**
 * Members of each team made in SQL: two, so that importing and first planning (before the
 * window) stay within minutes on PGlite on a busy machine; the re-plan still walks 5,000 teams.
 */
const SQL_MEMBERS = 2;
/** The file's 500 teams, 5,000 people. */
const INVITED_TEAMS = FILE_TEAMS;

type Message = { url: string } | { error: string } | { done: BusyResult };
const send = (message: Message) => process.send?.(message);

export interface BusyResult {
  invitationsPlanned: number;
  invitationRounds: number;
  mailsReceived: number;
  replans: number;
  replanMs: number[];
  allIcsRenders: number;
  allIcsMs: number[];
  allIcsBytes: number;
}

/** A real SMTP server on 127.0.0.1 that accepts every mail at once and counts them. */
async function smtpSink(): Promise<{ port: number; received: () => number; close(): Promise<void> }> {
  let received = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      stream.on('data', () => undefined);
      stream.on('end', () => (received++, callback()));
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.server.address() as { port: number }).port, received: () => received, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function service(): Promise<() => Promise<void>> {
  const api = await new FakeSlack({ limits: 'none', emailOf: generatedMemberEmail, keepAliveMs: 1000 }).start();
  const smtp = await smtpSink();
  const config = loadConfig({
    DATA_DIR: process.env.DATA_DIR,
    DATABASE_URL: process.env.DATABASE_URL,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    // Seeding 4,500 teams in one statement takes longer than the default 30 s on a busy machine.
    DATABASE_TIMEOUT_SECONDS: '600',
    APP_SECRET: 'b'.repeat(40),
    MAIL_FROM: 'kooperator@example.org',
    SMTP_URL: `smtp://127.0.0.1:${smtp.port}?ignoreTLS=true`,
    SLACK_BOT_TOKEN: 'xoxb-bench',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: `${api.url}/api/`,
  });
  const clock = new FixedClock(NOW);
  const t0 = performance.now();
  const step = (what: string) => {
    const line = `busy-service: ${what} at ${((performance.now() - t0) / 1000).toFixed(1)} s\n`;
    process.stderr.write(line);
    // BENCH_BUSY_LOG: the steps of the start into a file too (the parent keeps only a failed child's output).
    if (process.env.BENCH_BUSY_LOG) appendFileSync(process.env.BENCH_BUSY_LOG, line);
  };
  const db = await openDatabase(config, 'import');
  try {
    await migrateToLatest(db.db);
    step('migrated');
    await importSchedules(db.db, await loadScheduleFiles([process.env.BENCH_SCHEDULE!]), { clock, defaultTimezone: DEFAULT_ZONE });
    // A schedule file holds at most 2 MB (about 500 teams): the other 4,500 teams are made in SQL.
    step('file imported');
    await seedTeams(db.db, TEAMS - FILE_TEAMS, SQL_MEMBERS);
    step('teams seeded');
    // The file's own activities out of the way: only the conferences below are invited to.
    await db.db.updateTable('activities').set({ cancelled_at: clock.now() }).execute();
  } finally {
    await db.close();
  }
  const running = await startService(config, createLogger(config.logLevel), clock);
  step('started (reminders planned)');
  // As in the Slack benchmark: what the import made due counts as sent long ago.
  await running.db.db.updateTable('deliveries').set({ state: 'sent', sent_at: clock.now(), sent_channel: 'email' }).where('state', '=', 'pending').where('next_attempt_at', '<=', clock.now()).execute();
  process.on('message', (m: { busy?: number }) => {
    if (m.busy) busy(running, clock, m.busy * 1000, smtp.received).then((done) => send({ done }), (error: unknown) => send({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }));
  });
  send({ url: running.url });
  return async () => {
    await running.stop();
    await api.stop();
    await smtp.close();
  };
}

async function busy(running: RunningService, clock: FixedClock, forMs: number, received: () => number): Promise<BusyResult> {
  const db = running.db.db;
  const until = performance.now() + forMs;
  const result: BusyResult = { invitationsPlanned: 0, invitationRounds: 0, mailsReceived: 0, replans: 0, replanMs: [], allIcsRenders: 0, allIcsMs: [], allIcsBytes: 0 };
  const mailsBefore = received();
  const teams = Array.from({ length: INVITED_TEAMS }, (_, i) => `team-${String(i + 1).padStart(4, '0')}`);
  const invitations = async () => {
    while (performance.now() < until) {
      const id = `busy-conference-${process.pid}-${result.invitationRounds}`;
      await db
        .insertInto('activities')
        .values({ id, kind: 'conference', title: 'Konferencja regionalna Kooperacje 3D', starts_local: '2027-03-15T09:00', ends_local: '2027-03-15T16:00', timezone: 'Europe/Warsaw', starts_at: new Date('2027-03-15T08:00:00Z'), ends_at: new Date('2027-03-15T15:00:00Z'), location: 'Łódź, Hala Expo', audience_all: false, public: true, source: 'bench' })
        .execute();
      await db.insertInto('activity_audience').values(teams.map((team_id) => ({ activity_id: id, team_id }))).execute();
      const before = await countInvitations(running);
      await running.delivery.scheduleChanged();
      result.invitationsPlanned += (await countInvitations(running)) - before;
      result.invitationRounds++;
      // The next conference once most of this one is out (e-mail is paced at 20 a second).
      while (performance.now() < until && received() - mailsBefore < result.invitationsPlanned * 0.9) await sleep(500);
    }
  };
  const replans = async () => {
    while (performance.now() < until) {
      await db.deleteFrom('planning_marks').execute();
      const t0 = performance.now();
      await running.delivery.plan();
      result.replanMs.push(performance.now() - t0);
      result.replans++;
    }
  };
  const allIcs = async () => {
    while (performance.now() < until) {
      await db.updateTable('meeting_series').set({ location: `Sala ${result.allIcsRenders}, ul. Przykładowa 1, 90-001 Łódź` }).where('team_id', '=', 'team-0002').execute();
      running.feeds.invalidate();
      running.feeds.forgetEventTexts();
      const t0 = performance.now();
      const feed = await running.feeds.all();
      result.allIcsMs.push(performance.now() - t0);
      result.allIcsBytes = feed.body.length;
      result.allIcsRenders++;
    }
  };
  const watch = longTaskWatch();
  await Promise.all([invitations(), replans(), allIcs()]);
  watch.stop();
  result.mailsReceived = received() - mailsBefore;
  return result;
}

/**
 * BENCH_BUSY_LONG_TASKS=<file>: a 1 ms timer's gaps over 20 ms (the event loop held that long)
 * appended to the file as `start_us end_us` on the monotonic clock the CPU profile uses, so
 * that a run with BENCH_CHILD_NODE_ARGS=--cpu-prof can name what ran in each (diagnosis only).
 */
function longTaskWatch(): { stop(): void } {
  const file = process.env.BENCH_BUSY_LONG_TASKS;
  if (!file) return { stop: () => undefined };
  const gaps: string[] = [];
  let last = process.hrtime.bigint();
  let cpu = process.cpuUsage();
  const timer = setInterval(() => {
    const now = process.hrtime.bigint();
    const used = process.cpuUsage(cpu);
    // The CPU this process used meanwhile (all its threads, mostly this one): load inflates the wall time, not this.
    if (now - last > 20_000_000n) gaps.push(`${last / 1000n} ${now / 1000n} ${Math.round((used.user + used.system) / 1000)}`);
    last = now;
    cpu = process.cpuUsage();
  }, 1);
  // Statements over 15 ms (PGlite runs them on this thread), with their text.
  const statements: string[] = [];
  const proto = PGlite.prototype as unknown as { query: (...args: unknown[]) => Promise<unknown> };
  const query = proto.query;
  proto.query = async function (this: unknown, ...args: unknown[]) {
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    try {
      return await query.apply(this, args);
    } finally {
      const ms = performance.now() - t0;
      const used = process.cpuUsage(cpu0);
      if (ms > 15) statements.push(`${ms.toFixed(0)} ms (cpu ${((used.user + used.system) / 1000).toFixed(0)}) ${String(args[0]).replace(/\s+/g, ' ').slice(0, 160)}`);
    }
  };
  return {
    stop: () => {
      clearInterval(timer);
      proto.query = query;
      appendFileSync(file, gaps.join('\n') + '\n');
      appendFileSync(`${file}.sql`, statements.join('\n') + '\n');
    },
  };
}

async function countInvitations(running: RunningService): Promise<number> {
  const row = await sql<{ n: string }>`select count(*) as n from invitations`.execute(running.db.db);
  return Number(row.rows[0]!.n);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

serveUntilStopped(service());
