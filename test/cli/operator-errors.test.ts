import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SLOW = 60_000;

/** `serve` in a child process; resolves with its exit code and what it wrote to stderr. */
function serve(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), DATA_DIR: mkdtempSync(join(tmpdir(), 'koop-oops-')), LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), SLOW - 5_000);
  return new Promise((resolve) => child.once('exit', (code) => (clearTimeout(timer), resolve({ code, stderr }))));
}

/** One line naming the setting, what is wrong and how to fix it; never a stack trace. */
function expectOneLine(result: { code: number | null; stderr: string }, pattern: RegExp): void {
  expect(result.code).toBe(1);
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(lines[0]).not.toMatch(/\bat .+:\d+:\d+/);
}

describe('start-up problems an operator can fix', () => {
  let taken: Server;
  let port: number;
  beforeAll(async () => {
    taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    port = (taken.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => taken.close(() => resolve())));

  it('should say in one line that the port is in use and what to do', { timeout: SLOW }, async () => {
    expectOneLine(await serve({ PORT: String(port) }), new RegExp(`^PORT: 127\\.0\\.0\\.1:${port} is already in use by another process\\. .*PORT=`));
  });

  it('should say in one line that HOST is not an address of this machine', { timeout: SLOW }, async () => {
    expectOneLine(await serve({ PORT: '0', HOST: 'no-such-host.invalid' }), /^HOST: no-such-host\.invalid .*\. .*HOST=0\.0\.0\.0/);
  });

  it('should say in one line that nothing accepts connections at DATABASE_URL', { timeout: SLOW }, async () => {
    expectOneLine(await serve({ PORT: '0', DATABASE_URL: 'postgres://kooperator:secret@127.0.0.1:1/kooperator' }), /^DATABASE_URL: .*127\.0\.0\.1:1.* refused.*\. /);
  });

  it.skipIf(!process.env.TEST_DATABASE_URL)('should say in one line that the database named in DATABASE_URL does not exist', { timeout: SLOW }, async () => {
    const url = new URL(process.env.TEST_DATABASE_URL!);
    url.pathname = '/no_such_database_kooperator';
    expectOneLine(await serve({ PORT: '0', DATABASE_URL: url.toString() }), /^DATABASE_URL: the database "no_such_database_kooperator" does not exist .*createdb/);
  });
});
