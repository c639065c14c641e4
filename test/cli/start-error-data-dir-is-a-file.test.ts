import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Review: "DATA_DIR not writable" is one line (9f3f029), but a DATA_DIR that names a file (a
 * typo, DATA_DIR=./data.db) ends start-up with "kooperator: Error: EEXIST: file already
 * exists, mkdir …" and a stack: operatorMessage knows EACCES, EROFS and ENOSPC only.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('Review: a DATA_DIR that is a file', () => {
  it('should say so in one line naming DATA_DIR', { timeout: 60_000 }, async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'koop-file-')), 'data.db');
    writeFileSync(file, 'not a folder');
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), LOG_LEVEL: 'silent', PORT: '0', APP_SECRET: 'r'.repeat(40), DATA_DIR: file },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    const lines = stderr.trimEnd().split('\n');
    expect(lines, stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^DATA_DIR: /);
  });
});
