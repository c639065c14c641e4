import { spawn, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';

// The real service as an operator runs it (`node bin/kooperator.js`, what `npm start` runs), for
// tests of how the process starts, stops and dies.
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ServiceProcess {
  child: ChildProcess;
  /** Everything it printed so far. */
  output(): string;
  /** Resolves with the exit code (or signal) once it exits. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

export function runKooperator(args: string[], env: Record<string, string>): ServiceProcess {
  const child = spawn(process.execPath, ['bin/kooperator.js', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  return { child, output: () => text, exited };
}

/** Runs a command to its end; rejects with its output when it fails. */
export async function kooperator(args: string[], env: Record<string, string>): Promise<string> {
  const run = runKooperator(args, env);
  const { code } = await run.exited;
  if (code !== 0) throw new Error(`kooperator ${args.join(' ')} exited with ${code}: ${run.output()}`);
  return run.output();
}

/** Waits until `check` holds, polling; fails with `what` after `withinMs`. */
export async function until(check: () => boolean | Promise<boolean>, withinMs: number, what: string): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > withinMs) throw new Error(`${what}: not within ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The base URL from the service's "is listening on" line. */
export function listeningUrl(service: ServiceProcess): string | undefined {
  return /is listening on (http:\/\/[^"\s]+)/.exec(service.output())?.[1];
}
