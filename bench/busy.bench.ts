/**
 * Issue 17: interactive latency under background work. The real service (bench/busy-service.ts,
 * its own process) with 5,000 teams (the 500-team file and 4,500 more made in SQL), on PGlite and on PostgreSQL. While it (a) drains a
 * 5,000-person conference invitation to a local SMTP sink, (b) re-plans all 5,000 teams over the
 * horizon and (c) renders all.ics again after a schedule change, each over and over for
 * BENCH_BUSY_SECONDS (default 30), this process sends an open-loop stream of signed Slack
 * `/pzk spotkania` (BENCH_BUSY_SLACK_RATE a second, default 10; every one from a member who has
 * not asked before, with a number that makes the question new, so nothing is answered from a
 * cache) and of team feed GETs (BENCH_BUSY_FEED_RATE, default 20; a different team each time,
 * rendered from the database). The event loop's delay comes from the service's own /metrics
 * (scraped right before and right after the window). The same streams without the background
 * work, first, for scale.
 *
 * Goals: /pzk spotkania p99 < 150 ms, team feed p99 < 50 ms, event loop delay p99 < 20 ms and
 * max < 100 ms.
 */
import { createHmac } from 'node:crypto';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ChildProcess } from 'node:child_process';
import type { BusyResult } from './busy-service.js';
import { postgresUrl, redact } from './databases.js';
import { TEAMS as FILE_TEAMS, bigScheduleFile, tempDir } from './fixtures.js';
import { loadavg } from 'node:os';
import { forkServer, int, ms, percentile, processCpuMs, s, sleep, yesNo, type Report } from './support.js';

const TEAMS = 5000;
const SIGNING_SECRET = 'bench-signing-secret-0123456789abcdef';
const SECONDS = Number(process.env.BENCH_BUSY_SECONDS ?? 30);
const IDLE_SECONDS = 5;
const SLACK_RATE = Number(process.env.BENCH_BUSY_SLACK_RATE ?? 10);
const FEED_RATE = Number(process.env.BENCH_BUSY_FEED_RATE ?? 20);
/** Importing 5,000 teams and planning their 600,000 reminders before the service is up: minutes on PGlite on a busy machine. */
const START_MS = 600_000;
const GOALS = { slackP99: 150, feedP99: 50, loopP99: 20, loopMax: 100 };

export async function busyBenchmark(report: Report): Promise<void> {
  const schedule = bigScheduleFile();
  const pg = await postgresUrl();
  const databases: { name: string; env: Record<string, string> }[] = [];
  const only = process.env.BENCH_BUSY_ONLY; // pglite | postgres
  if (!process.env.BENCH_SKIP_PGLITE && only !== 'postgres') databases.push({ name: 'PGlite', env: { DATA_DIR: join(tempDir('busy'), 'data') } });
  if (only === 'pglite') report.note('busy: PostgreSQL skipped (BENCH_BUSY_ONLY=pglite).');
  else if ('url' in pg) {
    const schema = `bench_busy_${process.pid}`;
    databases.push({ name: 'PostgreSQL', env: { DATABASE_URL: `${pg.url}${pg.url.includes('?') ? '&' : '?'}options=-c%20search_path%3D${schema}`, BENCH_PG_SCHEMA: schema } });
    report.note(`busy: PostgreSQL at ${redact(pg.url)}, schema ${schema} (dropped afterwards).`);
  } else report.note(`busy: PostgreSQL skipped: ${pg.skip}`);
  for (const database of databases) {
    const schema = database.env.BENCH_PG_SCHEMA;
    if (schema) await adminSql((pg as { url: string }).url, `drop schema if exists ${schema} cascade; create schema ${schema}`);
    const env: NodeJS.ProcessEnv = { ...process.env, ...database.env, BENCH_SCHEDULE: schedule };
    if (!database.env.DATABASE_URL) delete env.DATABASE_URL;
    const t0 = performance.now();
    const service = await forkServer('busy-service.ts', 'service', env, START_MS);
    report.note(`busy ${database.name}: import of ${int(TEAMS)} teams, start and first planning took ${s(performance.now() - t0)}.`);
    try {
      await measure(report, database.name, service);
    } finally {
      await service.stop();
      if (schema) await adminSql((pg as { url: string }).url, `drop schema if exists ${schema} cascade`).catch(() => undefined);
    }
  }
}

async function measure(report: Report, label: string, service: { url: string; child: ChildProcess }): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const streams = new Streams(service.url, agent);
  // Without background work, for scale (and to warm the JIT).
  await scrapeDelay(service.url, agent);
  // CPU the service used per request with nothing else to do: what the machine's load moves least.
  const pid = service.child.pid!;
  const idleCpu = processCpuMs(pid);
  const idle = await streams.run(IDLE_SECONDS * 1000);
  const idleCpuMs = processCpuMs(pid) - idleCpu;
  const idleLoop = await scrapeDelay(service.url, agent);
  report.row(
    `busy ${label}, no background work (for scale): /pzk spotkania p50 / p99, team feed p50 / p99, loop delay p99 / max; service CPU per request (both streams)`,
    `${ms(idle.slack.p50)} / ${ms(idle.slack.p99)}, ${ms(idle.feed.p50)} / ${ms(idle.feed.p99)}, ${ms(idleLoop.p99)} / ${ms(idleLoop.max)}; ${ms(idleCpuMs / (idle.slack.count + idle.feed.count))}`,
  );
  // The background work and the streams over the same window.
  const done = new Promise<BusyResult>((resolve, reject) => {
    const onMessage = (m: { done?: BusyResult; error?: string }) => {
      if (m.done) resolve(m.done);
      else if (m.error) reject(new Error(m.error));
      else return;
      service.child.off('message', onMessage);
    };
    service.child.on('message', onMessage);
  });
  const busyCpu = processCpuMs(pid);
  const busyStarted = performance.now();
  service.child.send({ busy: SECONDS });
  const busy = await streams.run(SECONDS * 1000);
  const work = await done;
  const busyShare = (processCpuMs(pid) - busyCpu) / (performance.now() - busyStarted);
  const loop = await scrapeDelay(service.url, agent);
  agent.destroy();
  const problems = [...idle.problems, ...busy.problems];
  const verdict = (ok: boolean) => (problems.length ? 'failed' : yesNo(ok));
  report.row(`busy ${label}: /pzk spotkania, each a member's first ask (${int(busy.slack.count)} at ${SLACK_RATE}/s), p50 / p99`, `${ms(busy.slack.p50)} / ${ms(busy.slack.p99)}`, `p99 < ${GOALS.slackP99} ms`, verdict(busy.slack.p99 < GOALS.slackP99));
  report.row(`busy ${label}: team feed GET, a different team each (${int(busy.feed.count)} at ${FEED_RATE}/s), p50 / p99`, `${ms(busy.feed.p50)} / ${ms(busy.feed.p99)}`, `p99 < ${GOALS.feedP99} ms`, verdict(busy.feed.p99 < GOALS.feedP99));
  report.row(`busy ${label}: event loop delay over the ${SECONDS} s (service's /metrics), p99 / max`, `${ms(loop.p99)} / ${ms(loop.max)}`, `p99 < ${GOALS.loopP99} ms, max < ${GOALS.loopMax} ms`, verdict(loop.p99 < GOALS.loopP99 && loop.max < GOALS.loopMax));
  report.row(
    `busy ${label}: background work done meanwhile`,
    `service CPU ${busyShare.toFixed(2)} of a core (load average ${loadavg()[0]!.toFixed(1)}); ${work.replans} re-plans of ${int(TEAMS)} teams (${work.replanMs.map((t) => s(t)).join(', ')}); ${work.allIcsRenders} all.ics renders of ${int(work.allIcsBytes / 1024)} KiB (${work.allIcsMs.map((t) => s(t)).join(', ')}); ${work.invitationRounds} conferences, ${int(work.invitationsPlanned)} invitations planned, ${int(work.mailsReceived)} mails received by the SMTP sink`,
  );
  for (const problem of problems) report.note(`busy ${label}: ${problem}`);
}

interface Stream {
  count: number;
  p50: number;
  p99: number;
}

/** Open-loop streams: requests leave on their schedule whether or not earlier ones were answered. */
class Streams {
  private asked = 0;
  private feeds = 0;

  constructor(
    private readonly url: string,
    private readonly agent: Agent,
  ) {}

  async run(forMs: number): Promise<{ slack: Stream; feed: Stream; problems: string[] }> {
    const slack: number[] = [];
    const feed: number[] = [];
    const problems: string[] = [];
    let emptyAcks = 0;
    const pending: Promise<void>[] = [];
    const started = performance.now();
    const stream = (rate: number, fire: () => Promise<void>) =>
      (async () => {
        for (let i = 0; ; i++) {
          const at = started + (i * 1000) / rate;
          if (at - started >= forMs) return;
          const wait = at - performance.now();
          if (wait > 0) await sleep(wait);
          pending.push(fire());
        }
      })();
    await Promise.all([
      stream(SLACK_RATE, async () => {
        const n = this.asked++;
        const t0 = performance.now();
        const answer = await this.slack(n).catch((error: Error) => ({ status: 0, body: error.message }));
        slack.push(performance.now() - t0);
        // An empty 200 is Bolt's ack when the answer was not ready in time (it then goes to response_url): counted, not a failure.
        if (answer.status !== 200) problems.push(`/pzk spotkania ${n}: ${answer.status} ${answer.body.slice(0, 200)}`);
        else if (!answer.body.includes('blocks')) emptyAcks++;
      }),
      stream(FEED_RATE, async () => {
        // The file's teams are team-0001…, those made in SQL team-00001…
        const n = 1 + ((this.feeds++ * 7919) % TEAMS);
        const team = n <= FILE_TEAMS ? `team-${String(n).padStart(4, '0')}` : `team-${String(n - FILE_TEAMS).padStart(5, '0')}`;
        const t0 = performance.now();
        const answer = await this.get(`/calendars/teams/${team}.ics`).catch((error: Error) => ({ status: 0, body: error.message }));
        feed.push(performance.now() - t0);
        if (answer.status !== 200 || !answer.body.includes('BEGIN:VCALENDAR')) problems.push(`GET ${team}.ics: ${answer.status} ${answer.body.slice(0, 200)}`);
      }),
    ]);
    await Promise.all(pending);
    const summary = (values: number[]): Stream => ({ count: values.length, p50: percentile(values, 50), p99: percentile(values, 99) });
    if (emptyAcks) problems.push(`${emptyAcks} /pzk answers were an empty ack (the answer went to response_url later)`);
    return { slack: summary(slack), feed: summary(feed), problems: problems.slice(0, 5).concat(problems.length > 5 ? [`and ${problems.length - 5} more`] : []) };
  }

  /** A member not seen before (the n-th of the file's 5,000, who have Slack), asking something new. */
  private slack(n: number): Promise<{ status: number; body: string }> {
    const team = 1 + (n % FILE_TEAMS);
    const member = 1 + (Math.floor(n / TEAMS) % 10);
    const user = `U${String(team).padStart(4, '0')}x${String(member).padStart(2, '0')}`;
    const body = new URLSearchParams({ token: 'legacy', team_id: 'T1', channel_id: 'D1', user_id: user, command: '/pzk', text: `spotkania ${n}`, api_app_id: 'A1', response_url: 'https://hooks.slack.invalid/commands/T1/1/x', trigger_id: `${n}.1.bench` }).toString();
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = `v0=${createHmac('sha256', SIGNING_SECRET).update(`v0:${timestamp}:${body}`).digest('hex')}`;
    return this.send('POST', '/slack/events', { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': timestamp, 'x-slack-signature': signature }, body);
  }

  get(path: string): Promise<{ status: number; body: string }> {
    return this.send('GET', path, {});
  }

  private send(method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = request(`${this.url}${path}`, { method, headers: body ? { ...headers, 'content-length': String(Buffer.byteLength(body)) } : headers, agent: this.agent, timeout: 30_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
      req.on('error', reject);
      req.end(body);
    });
  }
}

/** The service's event loop delay since its previous scrape, in ms (kooperator_event_loop_delay_*). */
async function scrapeDelay(url: string, agent: Agent): Promise<{ p50: number; p99: number; max: number }> {
  const text = await new Streams(url, agent).get('/metrics').then((r) => r.body);
  const value = (name: string) => {
    const match = new RegExp(`^kooperator_event_loop_delay_${name}_seconds (\\S+)$`, 'm').exec(text);
    if (!match) throw new Error(`/metrics has no kooperator_event_loop_delay_${name}_seconds`);
    return Number(match[1]) * 1000;
  };
  return { p50: value('p50'), p99: value('p99'), max: value('max') };
}

async function adminSql(url: string, text: string): Promise<void> {
  const { default: pgModule } = await import('pg');
  const client = new pgModule.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}
