import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Review: start-up errors an operator can fix are one line naming the setting (9f3f029). A
 * DATABASE_URL through a Unix socket (postgres://user@localhost/db?host=/var/run/postgresql,
 * the usual local setup) while PostgreSQL is not running fails with ENOENT on connect, which
 * operatorMessage (operator-errors.ts) does not know (it knows ECONNREFUSED, the TCP case):
 * "kooperator: Error: connect ENOENT /nonexistent…/.s.PGSQL.5432" and a stack through pg-pool
 * and kysely.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function serve(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), LOG_LEVEL: 'silent', PORT: '0', APP_SECRET: 'r'.repeat(40), ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 50_000);
  return new Promise((resolve) => child.once('exit', (code) => (clearTimeout(timer), resolve({ code, stderr }))));
}

describe('Review: DATABASE_URL through a Unix socket with no PostgreSQL there', () => {
  it('should say so in one line naming DATABASE_URL, without a stack trace', { timeout: 60_000 }, async () => {
    const { code, stderr } = await serve({ DATABASE_URL: 'postgres://kooperator@localhost/kooperator?host=/nonexistent-postgresql-socket-dir' });
    expect(code).toBe(1);
    expect(stderr).not.toMatch(/\bat .+:\d+:\d+/);
    expect(stderr.trimEnd().split('\n').at(-1)).toMatch(/^DATABASE_URL: /);
  });
});
