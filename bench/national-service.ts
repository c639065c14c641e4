/**
 * Child process of the national benchmark (issue 17): the real service (startService) on a
 * clock that runs `BENCH_RATE` times faster than real time, with e-mail to the parent's SMTP
 * sink and Slack to the parent's fake Slack Web API. The schedule is imported and planned on a
 * clock held at the start of the simulated week (that work is measured apart, not compressed),
 * then the parent says when the week starts, adds conferences as RCPS would, reads counters
 * and, at the end, what the outbox says. DATABASE_URL set: PostgreSQL; else PGlite in DATA_DIR.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'kysely';
import { FixedClock, type Clock } from '../src/clock.js';
import { loadConfig } from '../src/config.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { hashToken, tokenFor } from '../src/feeds/feed-tokens.js';
import { createLogger } from '../src/log.js';
import { openDatabase, startService, type RunningService } from '../src/main.js';
import { applyAbsences } from '../src/participation/absences.js';
import { statementNames } from '../adapters/db/named-statements.js';
import { planSummaries } from '../src/participation/summary-plans.js';
import { planReminders } from '../src/reminders/plan-reminders.js';
import { planCheckins } from '../src/reports/checkins.js';
import { planDigests } from '../src/reports/digest.js';
import { importSchedules } from '../src/schedule/import-schedule.js';
import { loadScheduleFiles } from '../src/schedule/load-schedule.js';

/** Held at `start` until go(); then `rate` times faster than real time from the real instant given. */
class WeekClock implements Clock {
  private realStart: number | undefined;
  constructor(private readonly start: number, readonly rate: number) {}
  go(realStartMs: number): void {
    this.realStart = realStartMs;
  }
  now(): Date {
    return new Date(this.realStart === undefined ? this.start : this.start + Math.max(0, Date.now() - this.realStart) * this.rate);
  }
}

// Statements sent to the database, counted at the driver (pg's Client.query, PGlite's query/exec).
let queries = 0;
// BENCH_NATIONAL_STATEMENTS=<file>: the statements of the week tallied by their first 90 characters.
const tally = process.env.BENCH_NATIONAL_STATEMENTS ? new Map<string, number>() : undefined;
let tallying = false;
const countCalls = (proto: Record<string, unknown>, name: string) => {
  const original = proto[name] as (...args: unknown[]) => unknown;
  proto[name] = function (this: unknown, ...args: unknown[]) {
    queries++;
    if (tally && tallying) {
      const text = typeof args[0] === 'string' ? args[0] : String((args[0] as { text?: string } | undefined)?.text ?? '?');
      const key = text.replace(/\s+/g, ' ').slice(0, 90);
      tally.set(key, (tally.get(key) ?? 0) + 1);
    }
    return original.apply(this, args);
  };
};
countCalls(pg.Client.prototype as unknown as Record<string, unknown>, 'query');
countCalls(PGlite.prototype as unknown as Record<string, unknown>, 'query');
countCalls(PGlite.prototype as unknown as Record<string, unknown>, 'exec');

const send = (message: object) => process.send?.(message);

interface Conference {
  id: string;
  title: string;
  startsLocal: string;
  endsLocal: string;
  startsAt: string;
  endsAt: string;
  rsvpBy: string;
  teams: string[];
}

async function main(): Promise<void> {
  const env = process.env;
  const config = loadConfig({
    DATA_DIR: env.DATA_DIR,
    DATABASE_URL: env.DATABASE_URL,
    // DATABASE_PREPARED_STATEMENTS=off: the week with every statement unnamed, to compare.
    DATABASE_PREPARED_STATEMENTS: env.DATABASE_PREPARED_STATEMENTS,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    APP_SECRET: env.BENCH_APP_SECRET,
    // A national deployment gives its relay more connections than the default 3 (which suits a
    // small relay): SMTP_URL's ?maxConnections, BENCH_NATIONAL_SMTP_CONNECTIONS here (default 10).
    // With 3, each mail's SMTP round trips wait behind the busy event loop and the e-mail lane
    // is bound by their latency, not by the CPU (a fifth of the week idle in working hours).
    SMTP_URL: `${env.BENCH_SMTP_URL}?maxConnections=${Number(env.BENCH_NATIONAL_SMTP_CONNECTIONS ?? 10)}`,
    MAIL_FROM: '"Kooperator RCPS" <kooperator@example.org>',
    SLACK_BOT_TOKEN: 'xoxb-bench',
    SLACK_SIGNING_SECRET: env.BENCH_SIGNING_SECRET,
    SLACK_API_URL: env.BENCH_SLACK_API_URL,
  });
  const start = new Date(env.BENCH_SIM_START!);
  const fixed = new FixedClock(start);
  const timings: Record<string, number> = {};
  const step = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const value = await work();
    timings[name] = performance.now() - t0;
    return value;
  };
  if (env.BENCH_NATIONAL_REPLICA === '1') return replica(config, start);
  const db = await openDatabase(config, 'import');
  let people: { id: number; email: string; token: string }[];
  let backlog = 0;
  try {
    await migrateToLatest(db.db);
    const files = env.BENCH_SCHEDULE!.split(',');
    await step('import', async () => importSchedules(db.db, await loadScheduleFiles(files), { clock: fixed, defaultTimezone: 'Europe/Warsaw' }));
    // What the service plans when it starts, done here on the held clock so that the week
    // does not begin with minutes of planning compressed into hours.
    await step('plan', async () => {
      await planReminders(db.db, { clock: fixed });
      await planCheckins(db.db, { clock: fixed });
      await planDigests(db.db, fixed);
      await planSummaries(db.db, { clock: fixed });
      await applyAbsences(db.db, fixed);
    });
    // Whatever is due before the week (first-import backlog) counts as sent long ago.
    backlog = Number(
      (await db.db.updateTable('deliveries').set({ state: 'sent', sent_at: start, sent_channel: 'email' }).where('state', '=', 'pending').where('next_attempt_at', '<=', start).executeTakeFirst()).numUpdatedRows,
    );
    const rows = await db.db.selectFrom('people').select(['id', 'email']).where('removed_at', 'is', null).orderBy('id').execute();
    people = await step('feed tokens', async () => {
      // The rows issueFeedToken writes, in bulk: one at a time (three statements each) took
      // three minutes on PGlite for 30,000 people. Setup, not what is measured.
      const out = rows.map((row) => {
        const nonce = randomBytes(32).toString('base64url');
        return { ...row, nonce, token: tokenFor(config.appSecret!, nonce) };
      });
      for (let i = 0; i < out.length; i += 1000) {
        await db.db.insertInto('feed_tokens').values(out.slice(i, i + 1000).map((p) => ({ person_id: p.id, token_hash: hashToken(p.token), nonce: p.nonce, created_at: start }))).execute();
      }
      return out.map(({ id, email, token }) => ({ id, email, token }));
    });
    timings.planned = Number((await sql<{ n: string }>`select count(*) as n from deliveries where state = 'pending'`.execute(db.db)).rows[0]!.n);
  } finally {
    await db.close();
  }
  const clock = new WeekClock(start.getTime(), Number(env.BENCH_RATE));
  const t0 = performance.now();
  const running = await startService(config, createLogger(config.logLevel), clock);
  timings.start = performance.now() - t0;
  send({ ready: { url: running.url, people, timings, backlog } });
  process.on('message', (m: { go?: number; conference?: Conference; counters?: number; finish?: { from: string; until: string; weekEnd: string } }) => {
    if (m.go) (clock.go(m.go), void profiling.start());
    if (m.counters !== undefined) send({ counters: { n: m.counters, ...counters() } });
    if (m.conference) void addConference(running, m.conference).then(() => send({ conferenceQueued: m.conference!.id }), (e: unknown) => send({ error: String(e) }));
    if (m.finish) void profiling.stop().then(() => finish(running, clock, m.finish!)).then((r) => send({ finished: r }), (e: unknown) => send({ error: e instanceof Error ? (e.stack ?? e.message) : String(e) }));
  });
}

/** A second service process (BENCH_NATIONAL_REPLICAS=2): the database is ready; it serves and sends, then stops when told. */
async function replica(config: ReturnType<typeof loadConfig>, start: Date): Promise<void> {
  const clock = new WeekClock(start.getTime(), Number(process.env.BENCH_RATE));
  const running = await startService(config, createLogger(config.logLevel), clock);
  send({ ready: { url: running.url, people: [], timings: {}, backlog: 0 } });
  process.on('message', (m: { go?: number; counters?: number; finish?: unknown }) => {
    if (m.go) clock.go(m.go);
    if (m.counters !== undefined) send({ counters: { n: m.counters, ...counters() } });
    if (m.finish) void running.delivery.stop().then(() => { const c = counters(); return running.stop().then(() => send({ finished: c })); }, (e: unknown) => send({ error: String(e) }));
  });
}

function counters() {
  const cpu = process.cpuUsage();
  return { cpuMs: (cpu.user + cpu.system) / 1000, queries, rss: process.memoryUsage().rss };
}

/** An RCPS person adds a conference for some voivodeships' teams (what an import does, as in the invitations benchmark). */
async function addConference(running: RunningService, c: Conference): Promise<void> {
  const db = running.db.db;
  await db
    .insertInto('activities')
    .values({ id: c.id, kind: 'conference', title: c.title, starts_local: c.startsLocal, ends_local: c.endsLocal, timezone: 'Europe/Warsaw', starts_at: new Date(c.startsAt), ends_at: new Date(c.endsAt), rsvp_by: c.rsvpBy, location: 'Warszawa, Centrum Konferencyjne', audience_all: false, public: true, source: 'bench' })
    .execute();
  await db.insertInto('activity_audience').values(c.teams.map((team_id) => ({ activity_id: c.id, team_id }))).execute();
  await running.delivery.scheduleChanged();
}

/**
 * BENCH_NATIONAL_PROFILE=<file>: a CPU profile of the service over the week (from go to finish),
 * written as a .cpuprofile (Chrome DevTools, speedscope). Sampled every 5 ms to keep it small.
 */
const profiling = (() => {
  const file = process.env.BENCH_NATIONAL_PROFILE;
  const session = file ? new Session() : undefined;
  return {
    async start() {
      tallying = true;
      if (!session) return;
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: 5000 });
      await session.post('Profiler.start');
    },
    async stop() {
      tallying = false;
      if (tally) writeFileSync(process.env.BENCH_NATIONAL_STATEMENTS!, [...tally].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${n}\t${k}`).join('\n'));
      if (!session || !file) return;
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
    },
  };
})();

/** Every row due in the week, for the parent to count what was late, lost or doubled. */
async function finish(running: RunningService, clock: Clock, range: { from: string; until: string; weekEnd: string }) {
  // The week is over: let the service send what is already due (a backlog means lateness, not
  // loss), for at most two real minutes, then stop it so that nothing changes while we read.
  const t0 = performance.now();
  let backlog = 0;
  for (;;) {
    backlog = Number(
      (await sql<{ n: string }>`select count(*) as n from deliveries where state in ('pending', 'sending') and next_attempt_at <= ${clock.now()} and due_at < ${new Date(range.weekEnd)}`.execute(running.db.db)).rows[0]!.n,
    );
    if (backlog === 0 || performance.now() - t0 > 120_000) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const drainMs = performance.now() - t0;
  // The stop may cut sends off after the message reached a sink and before its outcome was
  // written: such a row stays pending and goes again at the next start ("resends only what was
  // in flight"). Its recipient and the stop's real time let the parent tell these from doubles.
  const stopAt = [Date.now(), 0];
  await running.delivery.stop();
  stopAt[1] = Date.now();
  const unsent = await sql<{ to: string | null }>`
    select coalesce(case when ch = 'email' then p.email when ch = 'slack' then pc.address end, d.place_address) as to
    from deliveries d cross join lateral jsonb_array_elements_text(d.channels::jsonb) as c(ch)
    left join people p on p.id = d.person_id
    left join person_channels pc on pc.person_id = d.person_id and pc.channel = 'slack' and c.ch = 'slack'
    where d.state = 'pending' and d.due_at <= ${clock.now()} and d.due_at >= ${new Date(range.from)}`.execute(running.db.db);
  // Rows sent on another of their channels: a stray message on this one to the same person
  // suggests a send taken for failed (a timeout) that reached the sink, then a fallback: a double.
  const fellBack = await sql<{ to: string | null }>`
    select coalesce(case when ch = 'email' then p.email when ch = 'slack' then pc.address end, d.place_address) as to
    from deliveries d cross join lateral jsonb_array_elements_text(d.channels::jsonb) as c(ch)
    left join people p on p.id = d.person_id
    left join person_channels pc on pc.person_id = d.person_id and pc.channel = 'slack' and c.ch = 'slack'
    where d.state = 'sent' and c.ch <> d.sent_channel and d.due_at >= ${new Date(range.from)}`.execute(running.db.db);
  const rows = await running.db.db
    .selectFrom('deliveries')
    .select(['id', 'kind', 'state', 'due_at', 'sent_at', 'sent_channel', 'provider_id', 'attempts', 'earliest_at'])
    .where('due_at', '>=', new Date(range.from))
    .where('due_at', '<', new Date(range.until))
    .execute();
  const answers = await sql<{ answer: string; n: string }>`select answer, count(*) as n from rsvps group by answer`.execute(running.db.db).catch(() => ({ rows: [] }));
  const reports = await sql<{ n: string }>`select count(*) as n from status_updates`.execute(running.db.db).catch(() => ({ rows: [{ n: '?' }] }));
  const result = {
    rows: rows.map((r) => [r.id, r.kind, r.state, new Date(r.due_at).getTime(), r.sent_at ? new Date(r.sent_at).getTime() : null, r.sent_channel, r.provider_id, r.attempts, r.earliest_at ? new Date(r.earliest_at).getTime() : null] as const),
    rsvps: answers.rows,
    statusUpdates: reports.rows[0]?.n,
    namedTexts: running.db.kind === 'postgres' && process.env.DATABASE_PREPARED_STATEMENTS !== 'off' ? statementNames.size : null,
    drainMs,
    backlogLeft: backlog,
    stopAt,
    unsentTo: [...new Set(unsent.rows.map((r) => r.to).filter((to): to is string => !!to))],
    fellBackTo: [...new Set(fellBack.rows.map((r) => r.to).filter((to): to is string => !!to))],
    ...counters(),
  };
  await running.stop();
  return result;
}

main().catch((error: unknown) => {
  send({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(1);
});
