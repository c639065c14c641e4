/** Small helpers shared by the benchmarks: rows of the result table, statistics, processes, ports. */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';

export type Met = 'yes' | 'no' | '—' | 'skipped' | 'failed';

export interface Row {
  benchmark: string;
  figure: string;
  goal: string;
  met: Met;
}

/** What one benchmark reports: rows of the table and free-text notes under it. */
export class Report {
  readonly rows: Row[] = [];
  readonly notes: string[] = [];

  row(benchmark: string, figure: string, goal = '—', met: Met = '—'): void {
    this.rows.push({ benchmark, figure, goal, met });
    process.stdout.write(`  ${benchmark}: ${figure}${goal !== '—' ? `  (goal ${goal}: ${met})` : ''}\n`);
  }

  note(text: string): void {
    this.notes.push(text);
    process.stdout.write(`  note: ${text}\n`);
  }
}

export const yesNo = (ok: boolean): Met => (ok ? 'yes' : 'no');

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export const ms = (value: number) => (value >= 100 ? `${Math.round(value)} ms` : `${value.toFixed(1)} ms`);
export const s = (valueMs: number) => `${(valueMs / 1000).toFixed(2)} s`;
export const int = (value: number) => Math.round(value).toLocaleString('en-US');

export async function timed<T>(work: () => Promise<T> | T): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await work();
  return { value, ms: performance.now() - start };
}

export class TimeoutError extends Error {}

/** Rejects after `limitMs`; the work itself is not stopped (callers clean up their children). */
export function withTimeout<T>(work: Promise<T>, limitMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`${what} took longer than ${Math.round(limitMs / 1000)} s`)), limitMs);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export const sleep = (delayMs: number) => new Promise<void>((resolve) => setTimeout(resolve, delayMs));

/** A port nobody listens on right now (there is a small race; good enough on a bench machine). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export function httpGet(url: string, headers: Record<string, string> = {}, timeoutMs = 2000): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, agent: false, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/** Every child a benchmark starts, so that none outlives the run whatever happens. */
const children = new Set<ChildProcess>();

export function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

export function killAllChildren(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

/** Resolves with the exit code (or signal) once the child has exited; SIGKILL after `graceMs`. */
export function waitForExit(child: ChildProcess, graceMs: number): Promise<{ code: number | null; signal: string | null; killed: boolean }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode, killed: false });
  }
  return new Promise((resolve) => {
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, graceMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, killed });
    });
  });
}

/** Keeps the last lines a child wrote, for error messages. */
export function captureTail(child: ChildProcess, lines = 30): () => string {
  const kept: string[] = [];
  const keep = (chunk: Buffer) => {
    kept.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    if (kept.length > lines) kept.splice(0, kept.length - lines);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => kept.join('\n');
}

export { spawn };

/** CPU ms a process has used (user + system, /proc/<pid>/stat; Linux). */
export function processCpuMs(pid: number): number {
  // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th, in 1/100 s.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Busy and total CPU ticks of the whole machine, from /proc/stat (Linux); undefined elsewhere. */
export function machineTicks(): { busy: number; total: number } | undefined {
  try {
    const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/);
    const [user, nice, system, idle, iowait, irq, softirq, steal] = fields.map(Number) as number[];
    const busy = user! + nice! + system! + irq! + softirq! + (steal ?? 0);
    return { busy, total: busy + idle! + iowait! };
  } catch {
    return undefined;
  }
}

/**
 * Other engineers' test runs share this machine. Waits (at most `maxMs`) until the machine
 * has been nearly idle for half a second; says whether it was.
 */
export async function waitForQuiet(maxMs: number, busyShare = 0.15): Promise<{ quiet: boolean; waitedMs: number; busy: number }> {
  const started = performance.now();
  let busy = 0;
  for (;;) {
    const before = machineTicks();
    await sleep(500);
    const after = machineTicks();
    if (!before || !after) return { quiet: true, waitedMs: 0, busy: 0 };
    busy = (after.busy - before.busy) / Math.max(1, after.total - before.total);
    if (busy <= busyShare) return { quiet: true, waitedMs: performance.now() - started, busy };
    if (performance.now() - started > maxMs) return { quiet: false, waitedMs: performance.now() - started, busy };
  }
}

const BENCH_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** BENCH_CHILD_NODE_ARGS: more node options for forked children, e.g. `--cpu-prof --cpu-prof-dir=/tmp/p` (not allowed in NODE_OPTIONS). */
const childNodeArgs = () => (process.env.BENCH_CHILD_NODE_ARGS ?? '').split(' ').filter(Boolean);

/**
 * Forks `bench/<script>` under tsx with BENCH_MODE=mode and waits for the URL it sends over IPC
 * (see serveUntilStopped). A child that fails to start is stopped, and the error carries the end
 * of its output.
 */
export async function forkServer(script: string, mode: string, env: NodeJS.ProcessEnv, startMs = 180_000): Promise<{ url: string; child: ChildProcess; stop: () => Promise<void> }> {
  const child = track(fork(join(BENCH_ROOT, 'bench', script), [], { cwd: BENCH_ROOT, execArgv: ['--import', 'tsx', ...childNodeArgs()], env: { ...env, BENCH_MODE: mode }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] }));
  const tail = captureTail(child);
  const stop = async () => {
    child.kill('SIGTERM');
    await waitForExit(child, 8000);
  };
  try {
    const url = await withTimeout(
      new Promise<string>((resolve, reject) => {
        child.once('message', (m: { url?: string; error?: string }) => (m.url ? resolve(m.url) : reject(new Error(m.error ?? 'no URL'))));
        child.once('exit', (code) => reject(new Error(`exited with ${code} before it was ready`)));
      }),
      startMs,
      `starting the ${mode} child`,
    );
    return { url, child, stop };
  } catch (error) {
    await stop();
    throw new Error(`the ${script} ${mode} child did not start: ${error instanceof Error ? error.message : String(error)}\n${tail()}`);
  }
}

/**
 * The child's half of forkServer: a start that fails is reported over IPC; SIGTERM (and, unless
 * told otherwise, the parent going away) closes what started and exits.
 */
export function serveUntilStopped(started: Promise<(() => Promise<void>) | undefined>, options: { onDisconnect?: boolean } = {}): void {
  const running = started.catch((error: unknown) => {
    process.send?.({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    process.exit(1);
  });
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void running.then(async (close) => {
      await close?.();
      process.exit(0);
    });
  };
  process.on('SIGTERM', stop);
  if (options.onDisconnect ?? true) process.on('disconnect', stop);
}
