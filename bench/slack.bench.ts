/**
 * 5. Slack throughput (issue 3): 100 concurrent signed `/pzk spotkania` commands from 1,000
 *    members of the 500-team file (each seen once before the run, as regular users are), answered in the ack itself, against a bare Bolt app that only acks,
 *    in the same run. Goals: ≥ 0.6× its requests per second and p99 ≤ 2× its p99, on PGlite
 *    and on PostgreSQL. Every request is signed as Slack signs it (a fresh timestamp each).
 *    For scale, the bare app also acks with one of the service's own answers (same bytes): an
 *    answer of a few kilobytes alone costs Bolt, Node and autocannon a good part of the rate.
 */
import type { ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import autocannon, { type Result } from 'autocannon';
import { postgresUrl, redact } from './databases.js';
import { bigScheduleFile, tempDir } from './fixtures.js';
import { forkServer, int, waitForQuiet, yesNo, type Report } from './support.js';

const CONNECTIONS = 100;
/**
 * The service and the bare app are measured in turns, PAIRS times SECONDS each, and compared
 * pair by pair: on this shared virtual machine the same server's rate drifts by a third from one
 * ten-second run to the next, so one run of each would compare two moments as much as two servers.
 */
const SECONDS = 5;
const PAIRS = 5;
/** Two members of every team (the coordinator and one more): 1,000 Slack users. */
const USERS = 500 * 2;
/** The same as bench/slack-service.ts's (importing that file would run the child here). */
const SIGNING_SECRET = 'bench-signing-secret-0123456789abcdef';

export async function slackBenchmark(report: Report): Promise<void> {
  const bare = await startChild('bare', {});
  try {
    const pg = await postgresUrl();
    // BENCH_SKIP_PGLITE=1: PostgreSQL only (as the other benchmarks take it).
    const databases: { name: string; env: Record<string, string> }[] = process.env.BENCH_SKIP_PGLITE ? [] : [{ name: 'PGlite', env: { DATA_DIR: join(tempDir('slack'), 'data') } }];
    if ('url' in pg) {
      const schema = `bench_slack_${process.pid}`;
      databases.push({ name: 'PostgreSQL', env: { DATABASE_URL: `${pg.url}${pg.url.includes('?') ? '&' : '?'}options=-c%20search_path%3D${schema}`, BENCH_PG_SCHEMA: schema } });
      report.note(`slack: PostgreSQL at ${redact(pg.url)}, schema ${schema} (dropped afterwards).`);
    } else report.note(`slack: PostgreSQL skipped: ${pg.skip}`);
    for (const database of databases) {
      const schema = database.env.BENCH_PG_SCHEMA;
      if (schema) await adminSql(pg as { url: string }, `drop schema if exists ${schema} cascade; create schema ${schema}`);
      const service = await startChild('service', { ...database.env, BENCH_SCHEDULE: bigScheduleFile() });
      try {
        // Warm-up: every user once (users.info and the stored link, as for anyone who used
        // the bot before; the caches), then both servers a few seconds for the JIT.
        await load(service.url, 0, CONNECTIONS, USERS);
        await load(service.url, 3, CONNECTIONS);
        await load(bare.url, 3, CONNECTIONS);
        const { ours, theirs, rps, p99 } = await interleaved(service.url, bare.url);
        // For scale only: the bare app acking with one of the service's own answers (same bytes).
        const sample = await sampleAnswer(service.url);
        bare.child.send({ answer: sample.body });
        const withAnswer = await load(bare.url, SECONDS, CONNECTIONS, undefined, 'answer');
        // For scale: every member here asks several times a second, so nearly every answer is a
        // repeat the bot keeps (src/bot/repeat-answers.ts). A member's first ask in a minute goes
        // the whole way (person, teams and meetings are still kept per data version); a number
        // after the command, different in every request, makes each one such a first ask.
        const firstAsks = await load(service.url, SECONDS, CONNECTIONS, undefined, 'spotkania #');
        const problems = [...ours.flatMap((r) => r.problems), ...theirs.flatMap((r) => r.problems), ...withAnswer.problems, ...firstAsks.problems];
        report.row(`slack /pzk spotkania, ${database.name}: service`, `${listed(ours)} (${PAIRS} runs of ${SECONDS} s)`);
        report.row(`slack /pzk, bare Bolt app that only acks (same run, runs taken in turn with the service's)`, listed(theirs));
        report.row(
          `slack /pzk, bare Bolt app acking with the service's answer (${int(sample.bytes)} bytes; for scale)`,
          `${int(withAnswer.rps)} req/s (latency p50 ${withAnswer.p50} ms, p99 ${withAnswer.p99} ms; ${(withAnswer.rps / median(theirs.map((r) => r.rps))).toFixed(2)}× the empty ack's median)`,
        );
        report.row(
          `slack /pzk spotkania, ${database.name}: service, every command a first ask (nothing repeated; for scale)`,
          `${int(firstAsks.rps)} req/s (latency p50 ${firstAsks.p50} ms, p99 ${firstAsks.p99} ms; ${(firstAsks.rps / median(theirs.map((r) => r.rps))).toFixed(2)}× the bare app's median)`,
        );
        report.row(`slack ${database.name}: service ÷ bare Bolt, req/s (median of the ${PAIRS} pairs)`, `${rps.toFixed(2)}×`, '≥ 0.6×', problems.length ? 'failed' : yesNo(rps >= 0.6));
        report.row(`slack ${database.name}: service p99 ÷ bare Bolt p99 (median of the ${PAIRS} pairs)`, `${p99.toFixed(2)}×`, '≤ 2×', problems.length ? 'failed' : yesNo(p99 <= 2));
        for (const problem of problems) report.note(`slack ${database.name}: ${problem}`);
      } finally {
        await service.stop();
        if (schema) await adminSql(pg as { url: string }, `drop schema if exists ${schema} cascade`).catch(() => undefined);
      }
    }
  } finally {
    await bare.stop();
  }
}

/** PAIRS runs of each, in turns (the order flips each pair); ratios per pair, the median of each. */
async function interleaved(service: string, bare: string): Promise<{ ours: Run[]; theirs: Run[]; rps: number; p99: number }> {
  const ours: Run[] = [];
  const theirs: Run[] = [];
  for (let pair = 0; pair < PAIRS; pair++) {
    if (pair % 2 === 0) {
      ours.push(await load(service, SECONDS, CONNECTIONS));
      theirs.push(await load(bare, SECONDS, CONNECTIONS));
    } else {
      theirs.push(await load(bare, SECONDS, CONNECTIONS));
      ours.push(await load(service, SECONDS, CONNECTIONS));
    }
  }
  return {
    ours,
    theirs,
    rps: median(ours.map((run, i) => run.rps / theirs[i]!.rps)),
    p99: median(ours.map((run, i) => run.p99 / Math.max(1, theirs[i]!.p99))),
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const listed = (runs: Run[]) => `${runs.map((r) => int(r.rps)).join(' / ')} req/s (p99 ${runs.map((r) => r.p99).join(' / ')} ms)`;

interface Run {
  rps: number;
  p50: number;
  p99: number;
  problems: string[];
}

function signedCommand(user: string, text: string, n: number): { body: string; headers: Record<string, string> } {
  const body = new URLSearchParams({
    token: 'legacy',
    team_id: 'T1',
    channel_id: 'D1',
    user_id: user,
    command: '/pzk',
    text,
    api_app_id: 'A1',
    response_url: 'https://hooks.slack.invalid/commands/T1/1/x',
    trigger_id: `${n}.1.bench`,
  }).toString();
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = `v0=${createHmac('sha256', SIGNING_SECRET).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return { body, headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': timestamp, 'x-slack-signature': signature } };
}

const userOf = (i: number) => `U${String(1 + Math.floor(i / 2)).padStart(4, '0')}x${String(1 + (i % 2)).padStart(2, '0')}`;

/** One answer of the service, as the bare app will send it. */
async function sampleAnswer(url: string): Promise<{ body: object; bytes: number }> {
  const { body, headers } = signedCommand(userOf(0), 'spotkania', 0);
  const response = await fetch(`${url}/slack/events`, { method: 'POST', headers, body });
  const text = await response.text();
  return { body: JSON.parse(text) as object, bytes: Buffer.byteLength(text) };
}

async function load(url: string, seconds: number, connections: number, amount?: number, text = 'spotkania'): Promise<Run> {
  await waitForQuiet(10_000);
  let n = 0;
  const result: Result = await autocannon({
    url: `${url}/slack/events`,
    connections,
    ...(amount ? { amount } : { duration: seconds }),
    requests: [
      {
        method: 'POST',
        path: '/slack/events',
        setupRequest: (request) => {
          const i = n++ % USERS;
          return { ...request, ...signedCommand(userOf(i), text.replace('#', String(n)), n) };
        },
      },
    ],
  });
  const total = Object.values(result.statusCodeStats).reduce((sum, { count }) => sum + count, 0);
  const ok = result.statusCodeStats['200']?.count ?? 0;
  const problems: string[] = [];
  if (total === 0) problems.push('no responses at all');
  else if (ok / total < 0.999) problems.push(`only ${ok} of ${total} answers were 200: ${JSON.stringify(result.statusCodeStats)}`);
  if (result.errors > 0) problems.push(`${result.errors} errors (${result.timeouts} timeouts)`);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, problems };
}

async function adminSql(pg: { url: string }, text: string): Promise<void> {
  const { default: pgModule } = await import('pg');
  const client = new pgModule.Client({ connectionString: pg.url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

async function startChild(mode: 'service' | 'bare', env: Record<string, string>): Promise<{ url: string; child: ChildProcess; stop: () => Promise<void> }> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  if (!env.DATABASE_URL) delete childEnv.DATABASE_URL;
  // The service's start plans the 500-team file's 50 activities' invitations (some 150,000:
  // half of them are for all 5,000 people), which on PostgreSQL took just over the default
  // three minutes on a quiet 2-core machine on 2026-12-06.
  return forkServer('slack-service.ts', mode, childEnv, 480_000);
}
