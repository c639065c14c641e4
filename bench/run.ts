/**
 * `npm run bench [-- <filter>…]`: runs the benchmarks of issue 2 (or those whose name contains
 * a filter: import, render, http, startup, slack), prints a Markdown table and writes it with the
 * machine to bench/results/latest.md (a filtered run writes latest-<filters>.md instead, so
 * the full table is not overwritten by a partial one).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { removeTemp } from './fixtures.js';
import { httpBenchmark } from './http.bench.js';
import { importBenchmark } from './import.bench.js';
import { renderBenchmark } from './render.bench.js';
import { renderAllBenchmark } from './render-all.bench.js';
import { schedulePageBenchmark } from './schedule-page.bench.js';
import { slackBenchmark } from './slack.bench.js';
import { startupBenchmark } from './startup.bench.js';
import { drainBenchmark, planningBenchmark } from './delivery.bench.js';
import { invitationsBenchmark } from './invitations.bench.js';
import { claimBenchmark, failingRenderBenchmark, idleQueriesBenchmark } from './lifecycle.bench.js';
import { crashRestartBenchmark } from './crash-restart.bench.js';
import { inboundBenchmark } from './inbound.bench.js';
import { attendancePdfBenchmark } from './attendance-pdf.bench.js';
import { attendanceSummaryBenchmark } from './attendance-summary.bench.js';
import { platformLimitsBenchmark } from './platform-limits.bench.js';
import { earlyLumpBenchmark } from './early-lump.bench.js';
import { nationalBenchmark, nationalMinutes } from './national.bench.js';
import { busyBenchmark } from './busy.bench.js';
import { soakBenchmark, soakMinutes } from './soak.bench.js';
import { replanBenchmark } from './replan.bench.js';
import { Report, killAllChildren, s, waitForQuiet, withTimeout } from './support.js';

interface Benchmark {
  name: string;
  title: string;
  limitMs: number;
  run: (report: Report) => Promise<void>;
}

const BENCHMARKS: Benchmark[] = [
  { name: 'import', title: 'Import of the 500-team file', limitMs: 240_000, run: importBenchmark },
  { name: 'render', title: 'Feed render time', limitMs: 240_000, run: renderBenchmark },
  { name: 'http', title: 'Serving the team feed over HTTP', limitMs: 360_000, run: httpBenchmark }, // about 4 min quiet, 5 busy
  { name: 'schedule-page', title: 'The schedule page GET / with 500 teams', limitMs: 240_000, run: schedulePageBenchmark },
  { name: 'startup', title: 'Start to first /healthz 200', limitMs: 180_000, run: startupBenchmark },
  { name: 'planning', title: 'Planning reminders over the horizon', limitMs: 600_000, run: planningBenchmark },
  { name: 'drain', title: 'Draining due deliveries, and lateness', limitMs: 600_000, run: drainBenchmark },
  { name: 'invitations', title: 'Inviting 5,000 people to one conference', limitMs: 900_000, run: invitationsBenchmark },
  { name: 'claim', title: 'Claiming one batch from a big outbox', limitMs: 300_000, run: claimBenchmark },
  { name: 'crash-restart', title: 'Restart after SIGKILL mid-burst: the dead process\'s claimed rows', limitMs: 300_000, run: crashRestartBenchmark },
  { name: 'render-failures', title: 'Draining with one row in a hundred failing to render', limitMs: 600_000, run: failingRenderBenchmark },
  { name: 'idle', title: 'Database queries of an idle service with one locked due row', limitMs: 120_000, run: idleQueriesBenchmark },
  { name: 'slack', title: 'Slack /pzk spotkania throughput (issue 3)', limitMs: 900_000, run: slackBenchmark },
  { name: 'inbound', title: '1,000 inbound mails through the SMTP listener, end to end (issue 16)', limitMs: 180_000, run: inboundBenchmark },
  { name: 'attendance-summary', title: 'Attendance summary for one team meeting with 5,000 teams (issue 15)', limitMs: 600_000, run: attendanceSummaryBenchmark },
  { name: 'render-all', title: 'Rendering every message kind with stress data for all four channels (issue 14)', limitMs: 60_000, run: renderAllBenchmark },
  { name: 'attendance-pdf', title: 'Lista obecności PDF for 500 people (issue 15)', limitMs: 120_000, run: attendancePdfBenchmark },
  { name: 'platform-limits', title: '5,000 messages per platform into fakes that refuse beyond the limits (issue 17)', limitMs: 300_000, run: platformLimitsBenchmark },
  { name: 'early-lump', title: 'A lump of 1,134 reminders due at one instant, sent ahead at e-mail\'s pace, real time (issue 17)', limitMs: 600_000, run: earlyLumpBenchmark },
  { name: 'national', title: 'A national week: 2,857 teams, 30,000 members, one week compressed (issue 17)', limitMs: (2 * nationalMinutes() + 40) * 60_000, run: nationalBenchmark },
  { name: 'busy', title: 'Slack and feed latency while invitations drain, 5,000 teams re-plan and all.ics renders (issue 17)', limitMs: 900_000, run: busyBenchmark },
  { name: 'soak', title: 'Memory of the service with the demo schedule under steady load, PGlite and PostgreSQL (issue 17)', limitMs: (2 * soakMinutes() + 6) * 60_000, run: soakBenchmark },
  { name: 'replan', title: "The next day's re-plan of check-ins and summaries, and the 15-minute sweep, at national size on PGlite", limitMs: 600_000, run: replanBenchmark },
];

const ROOT = fileURLToPath(new URL('..', import.meta.url));

async function main(args: string[]): Promise<number> {
  // Plain words and --only=a,b choose benchmarks; other --flags are theirs (e.g. --year).
  const filters = args
    .flatMap((a) => (a.startsWith('--only=') ? a.slice('--only='.length).split(',') : a.startsWith('--') ? [] : [a]))
    .map((a) => a.toLowerCase());
  const chosen = filters.length ? BENCHMARKS.filter((b) => filters.some((f) => b.name.includes(f))) : BENCHMARKS;
  if (chosen.length === 0) {
    process.stderr.write(`No benchmark matches ${filters.join(', ')}. Benchmarks: ${BENCHMARKS.map((b) => b.name).join(', ')}\n`);
    return 2;
  }
  const report = new Report();
  const started = performance.now();
  let failures = 0;
  for (const benchmark of chosen) {
    process.stdout.write(`\n## ${benchmark.title} (${benchmark.name})\n`);
    const t0 = performance.now();
    // Other work on the machine (other engineers' tests) moves every figure: wait a little
    // for a quiet moment and say how busy it was.
    const calm = await waitForQuiet(30_000);
    report.note(
      `${benchmark.name}: ${calm.quiet ? `started on an idle machine (after ${s(calm.waitedMs)})` : `the machine stayed busy (${Math.round(calm.busy * 100)}% of its CPU) for 30 s; started anyway`}; load average ${loadavg().map((l) => l.toFixed(2)).join(' / ')} (1 / 5 / 15 min).`,
    );
    try {
      await withTimeout(benchmark.run(report), benchmark.limitMs, `the ${benchmark.name} benchmark`);
    } catch (error) {
      failures++;
      const message = error instanceof Error ? error.message : String(error);
      report.row(`${benchmark.name}: did not finish`, message.split('\n')[0]!, '—', 'failed');
      if (message.includes('\n')) report.note(`${benchmark.name}: ${message}`);
      if (error instanceof Error && error.stack && !message.includes('\n')) process.stderr.write(`${error.stack}\n`);
    } finally {
      killAllChildren();
    }
    process.stdout.write(`  (${benchmark.name} took ${s(performance.now() - t0)})\n`);
  }
  const markdown = render(report, chosen, filters, performance.now() - started);
  const dir = join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, filters.length ? `latest-${filters.join('-').replace(/[^a-z0-9-]/g, '')}.md` : 'latest.md');
  writeFileSync(file, markdown);
  process.stdout.write(`\n${markdown}\nWritten to ${file}\n`);
  return failures ? 1 : 0;
}

function render(report: Report, chosen: Benchmark[], filters: string[], elapsedMs: number): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const lines = [
    '# Kooperator benchmarks',
    '',
    `Run with \`npm run bench${filters.length ? ` -- ${filters.join(' ')}` : ''}\` (${chosen.map((b) => b.name).join(', ')}; ${s(elapsedMs)} in all).`,
    '',
    ...machine().map((line) => `- ${line}`),
    '',
    '| benchmark | figure | goal | met? |',
    '|---|---|---|---|',
    ...report.rows.map((r) => `| ${cell(r.benchmark)} | ${cell(r.figure)} | ${cell(r.goal)} | ${r.met} |`),
    '',
  ];
  if (report.notes.length) lines.push('Notes:', '', ...report.notes.map((n) => `- ${n.replace(/\n/g, '\n  ')}`), '');
  return `${lines.join('\n')}`;
}

function machine(): string[] {
  const cpu = cpus();
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'adapters', 'migrations'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (dirty) commit += ' (with uncommitted changes in src/adapters/migrations)';
  } catch {
    // not a git checkout
  }
  return [
    `Machine: ${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, ${(totalmem() / 1024 ** 3).toFixed(1)} GiB RAM, ${platform()} ${release()}`,
    `Node ${process.version}; date ${new Date().toISOString()}; commit ${commit}`,
  ];
}

const stopNow = () => {
  killAllChildren();
  removeTemp();
  process.exit(130);
};
process.once('SIGINT', stopNow);
process.once('SIGTERM', stopNow);

main(process.argv.slice(2)).then(
  (code) => {
    killAllChildren();
    removeTemp();
    process.exit(code);
  },
  (error: unknown) => {
    killAllChildren();
    removeTemp();
    process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
