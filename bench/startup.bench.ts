/**
 * 4. Start to first /healthz 200 on the embedded default: `node --import tsx src/cli.ts serve`
 *    (what `npm start` runs, without npm's own start-up) with a fresh DATA_DIR and a free
 *    port, /healthz polled every 20 ms. First start: new database, migrations, demo import
 *    (goal < 5 s); then SIGTERM, wait for the exit, start again on the same DATA_DIR (goal < 1 s).
 */
import { existsSync, writeFileSync } from 'node:fs';
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
  const first = await startOnce(dataDir);
  report.row(
    'start: first start to /healthz 200 (new database, migrations, demo import)',
    `${s(first.ms)}${first.demoImported ? '' : ' (the log does not say the demo was imported!)'}`,
    '< 5 s',
    yesNo(first.ms < 5000),
  );
  report.row('  first start: SIGTERM to exit', `${ms(first.exitMs)} (exit code ${first.exitCode})`);
  const restarts: number[] = [];
  for (let i = 0; i < RESTARTS; i++) {
    const again = await startOnce(dataDir);
    if (again.demoImported) report.note('start: a restart imported the demo again; it should only do so into an empty database.');
    restarts.push(again.ms);
  }
  const median = percentile(restarts, 50);
  report.row(
    'start: restart on the same DATA_DIR to /healthz 200, median',
    `${s(median)} (${RESTARTS} restarts: ${restarts.map((t) => s(t)).join(', ')})`,
    '< 1 s',
    yesNo(median < 1000),
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

async function startOnce(dataDir: string): Promise<{ ms: number; exitMs: number; exitCode: number | null; demoImported: boolean }> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info' };
  delete env.DATABASE_URL;
  delete env.NODE_ENV;
  const started = performance.now();
  const child = track(spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] }));
  const tail = captureTail(child, 200);
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`serve exited with ${child.exitCode} before /healthz answered:\n${tail()}`);
      if (performance.now() - started > LIMIT_MS) throw new Error(`no /healthz 200 within ${LIMIT_MS / 1000} s:\n${tail()}`);
      const answer = await httpGet(`http://127.0.0.1:${port}/healthz`, {}, 1000).catch(() => undefined);
      if (answer?.status === 200) break;
      await sleep(POLL_MS);
    }
    const elapsed = performance.now() - started;
    const demoImported = /imported the demo schedule/i.test(tail());
    const stopAt = performance.now();
    child.kill('SIGTERM');
    const exit = await waitForExit(child, 10_000);
    if (exit.killed) throw new Error(`serve did not exit within 10 s of SIGTERM:\n${tail()}`);
    return { ms: elapsed, exitMs: performance.now() - stopAt, exitCode: exit.code, demoImported };
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await waitForExit(child, 2000);
    }
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
