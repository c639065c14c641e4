import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Review: "DATA_DIR not writable" is meant to be one line naming DATA_DIR (9f3f029). /proc/sys
 * exists and refuses new files even to root (EACCES), so it stands for a read-only folder.
 * - Without APP_SECRET, loadConfig writes DATA_DIR/app-secret before cli.ts keeps the config
 *   (commandConfig), so the EACCES is printed with its stack.
 * - With APP_SECRET, the data folder lock's listen() fails with syscall 'listen', and
 *   operatorMessage takes every listen error for the HTTP port: "PORT: this user may not
 *   listen on port …", which sends the operator to the wrong setting.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SLOW = 60_000;

function serve(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), LOG_LEVEL: 'silent', PORT: '0', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), SLOW - 5_000);
  return new Promise((resolve) => child.once('exit', (code) => (clearTimeout(timer), resolve({ code, stderr }))));
}

function expectDataDirLine(result: { code: number | null; stderr: string }): void {
  expect(result.code).toBe(1);
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^DATA_DIR: /);
}

describe('Review: a DATA_DIR this user cannot write to', () => {
  it('should be one line naming DATA_DIR when APP_SECRET is unset (the generated secret cannot be written)', { timeout: SLOW }, async () => {
    expectDataDirLine(await serve({ DATA_DIR: '/proc/sys' }));
  });
});
