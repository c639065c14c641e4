import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Review: start-up errors an operator can fix are one line naming the setting (9f3f029). A
 * DATABASE_URL asking for TLS (?sslmode=require, what managed PostgreSQL guides say) against a
 * server without it ends with "kooperator: Error: The server does not support SSL connections"
 * and a stack through pg-pool and kysely: operatorMessage (operator-errors.ts) knows only
 * errors with a code, and this one has none (a certificate not trusted under verify-full is
 * the same). pg's own multi-line "SECURITY WARNING" about sslmode is printed before it too.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const url = process.env.TEST_DATABASE_URL;

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

describe.skipIf(!url)('Review: DATABASE_URL asking for TLS from a PostgreSQL without it', () => {
  it('should say so in one line naming DATABASE_URL, without a stack trace', { timeout: 60_000 }, async () => {
    const withTls = new URL(url!);
    withTls.searchParams.set('sslmode', 'require');
    const { code, stderr } = await serve({ DATABASE_URL: withTls.toString() });
    expect(code).toBe(1);
    expect(stderr).not.toMatch(/\bat .+:\d+:\d+/);
    const lines = stderr.trimEnd().split('\n');
    expect(lines[lines.length - 1]).toMatch(/^DATABASE_URL: /);
  });
});
