/**
 * 4. Start to first /healthz 200 on the embedded default: `node bin/kooperator.js serve` (what
 *    `npm start` runs, without npm's own start-up) with a fresh DATA_DIR and a free port,
 *    /healthz polled every 20 ms. /healthz answers once the database is open, with `ready:
 *    false` until the rest is up, so both moments are timed. First start: new database,
 *    migrations, demo import (goal < 5 s, to ready); then SIGTERM, wait for the exit, start
 *    again on the same DATA_DIR (goal < 1 s, to the first 200). The same restart under tsx
 *    (`node --import tsx src/cli.ts serve`, what `npm start` ran before) is timed beside it.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { tempDir } from './fixtures.js';
import { captureTail, freePort, httpGet, ms, percentile, s, sleep, spawn, track, waitForExit, yesNo, type Report } from './support.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RESTARTS = 3;
const POLL_MS = 20;
const LIMIT_MS = 60_000;

export async function startupBenchmark(report: Report): Promise<void> {
  const dataDir = join(tempDir('startup'), 'data');
  const first = await startOnce(dataDir, NPM_START);
  report.row(
    'start: first start to /healthz 200 with ready: true (new database, migrations, demo import)',
    `${s(first.readyMs)} (first 200, not ready yet, at ${s(first.ms)})${first.demoImported ? '' : ' (the log does not say the demo was imported!)'}`,
    '< 5 s',
    yesNo(first.readyMs < 5000),
  );
  report.row('  first start: SIGTERM to exit', `${ms(first.exitMs)} (exit code ${first.exitCode})`);
  const restarts: Started[] = [];
  const tsxRestarts: Started[] = [];
  for (let i = 0; i < RESTARTS; i++) {
    for (const [command, list] of [[NPM_START, restarts], [TSX, tsxRestarts]] as const) {
      const again = await startOnce(dataDir, command);
      if (again.demoImported) report.note('start: a restart imported the demo again; it should only do so into an empty database.');
      list.push(again);
    }
  }
  const median = percentile(restarts.map((r) => r.ms), 50);
  report.row(
    'start: restart on the same DATA_DIR to the first /healthz 200 (`npm start`), median',
    `${s(median)} (${RESTARTS} restarts: ${restarts.map((r) => s(r.ms)).join(', ')}); to ready: true ${s(percentile(restarts.map((r) => r.readyMs), 50))}; CPU to the first 200 ${ms(percentile(restarts.map((r) => r.cpuMs), 50))}`,
    '< 1 s',
    yesNo(median < 1000),
  );
  report.row(
    '  the same restart under tsx (`node --import tsx src/cli.ts serve`), median, in turn with the above',
    `${s(percentile(tsxRestarts.map((r) => r.ms), 50))}; to ready: true ${s(percentile(tsxRestarts.map((r) => r.readyMs), 50))}; CPU to the first 200 ${ms(percentile(tsxRestarts.map((r) => r.cpuMs), 50))}`,
  );
  const probe = await restartBreakdown(dataDir).catch((error: Error) => error);
  if (probe instanceof Error) report.note(`start: the restart breakdown failed: ${probe.message}`);
  else {
    report.row(
      '  restart, breakdown (one more start, in-process timings)',
      `node + tsx boot ${ms(probe.boot)} · loading modules ${ms(probe.modules)} · opening PGlite ${ms(probe.open)} · migration check ${ms(probe.migrate)} · startService() to listening, all included ${ms(probe.start)}`,
    );
  }
  const bare = await nodeWithTsx();
  report.row('  for scale: `node --import tsx` running an empty file', s(bare));
  if (existsSync(join(dataDir, 'pglite.lock'))) report.note('start: the data folder lock was left behind after SIGTERM.');
}

const NPM_START = ['bin/kooperator.js', 'serve'];
const TSX = ['--import', 'tsx', 'src/cli.ts', 'serve'];

interface Started {
  /** To the first 200. */
  ms: number;
  /** To the first 200 that says ready: true. */
  readyMs: number;
  /** CPU time of the process (all threads) at the first 200. */
  cpuMs: number;
  exitMs: number;
  exitCode: number | null;
  demoImported: boolean;
}

async function startOnce(dataDir: string, args: readonly string[]): Promise<Started> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info' };
  delete env.DATABASE_URL;
  delete env.NODE_ENV;
  const started = performance.now();
  const child = track(spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] }));
  const tail = captureTail(child, 200);
  try {
    let elapsed: number | undefined;
    let cpuMs = NaN;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`serve exited with ${child.exitCode} before /healthz answered:\n${tail()}`);
      if (performance.now() - started > LIMIT_MS) throw new Error(`no /healthz 200 within ${LIMIT_MS / 1000} s:\n${tail()}`);
      const answer = await httpGet(`http://127.0.0.1:${port}/healthz`, {}, 1000).catch(() => undefined);
      if (answer?.status === 200) {
        if (elapsed === undefined) {
          elapsed = performance.now() - started;
          cpuMs = cpuTime(child.pid!);
        }
        if ((JSON.parse(answer.body.toString('utf8')) as { ready?: boolean }).ready) break;
      }
      await sleep(POLL_MS);
    }
    const readyMs = performance.now() - started;
    const demoImported = /imported the demo schedule/i.test(tail());
    const stopAt = performance.now();
    child.kill('SIGTERM');
    const exit = await waitForExit(child, 10_000);
    if (exit.killed) throw new Error(`serve did not exit within 10 s of SIGTERM:\n${tail()}`);
    return { ms: elapsed, readyMs, cpuMs, exitMs: performance.now() - stopAt, exitCode: exit.code, demoImported };
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await waitForExit(child, 2000);
    }
  }
}

/** User and system time of a running process, its threads included (Linux /proc; NaN elsewhere). */
function cpuTime(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return NaN;
  }
}

async function restartBreakdown(dataDir: string): Promise<Record<'boot' | 'modules' | 'open' | 'migrate' | 'start', number>> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir };
  delete env.DATABASE_URL;
  const child = track(spawn(process.execPath, ['--import', 'tsx', 'bench/startup-probe.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] }));
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  const tail = captureTail(child);
  const exit = await waitForExit(child, 60_000);
  if (exit.code !== 0) throw new Error(`the probe exited with ${exit.code ?? exit.signal}: ${tail()}`);
  return JSON.parse(out.trim().split('\n').pop()!);
}

async function nodeWithTsx(): Promise<number> {
  const dir = tempDir('empty');
  const file = join(dir, 'empty.ts');
  writeFileSync(file, 'export {};\n');
  const started = performance.now();
  const child = track(spawn(process.execPath, ['--import', 'tsx', file], { cwd: ROOT, stdio: 'ignore' }));
  await waitForExit(child, 30_000);
  return performance.now() - started;
}
