import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);

/** A checkout in miniature: the real bin/kooperator.js and tsconfig.json, a two-file src/. */
function miniCheckout(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kooperator-launcher-'));
  mkdirSync(join(dir, 'bin'));
  mkdirSync(join(dir, 'src'));
  copyFileSync(join(ROOT, 'bin/kooperator.js'), join(dir, 'bin/kooperator.js'));
  copyFileSync(join(ROOT, 'tsconfig.json'), join(dir, 'tsconfig.json'));
  copyFileSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  writeFileSync(join(dir, 'src/cli.ts'), "import { greeting } from './greeting.js';\nconsole.log(greeting(process.argv[2] ?? 'nobody'));\n");
  writeFileSync(join(dir, 'src/greeting.ts'), 'export const greeting = (name: string): string => `hello ${name}`;\n');
  return dir;
}

describe('bin/kooperator.js, what npm start runs', () => {
  const dir = miniCheckout();
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // Three node starts and two compiles: seconds alone, much longer on two cores busy with the rest of the suite.
  it('should compile the sources into dist/ on the first run, reuse them after, and compile again a source that changed', { timeout: 90_000 }, async () => {
    const first = await run(process.execPath, ['bin/kooperator.js', 'Anna'], { cwd: dir });
    expect(first.stdout).toBe('hello Anna\n');
    const compiled = join(dir, 'dist/src/greeting.js');
    const compiledAt = statSync(compiled).mtimeMs;

    expect((await run(process.execPath, ['bin/kooperator.js', 'Jan'], { cwd: dir })).stdout).toBe('hello Jan\n');
    expect(statSync(compiled).mtimeMs).toBe(compiledAt);

    writeFileSync(join(dir, 'src/greeting.ts'), 'export const greeting = (name: string): string => `dzień dobry ${name}`;\n');
    const later = new Date(compiledAt + 5_000);
    utimesSync(join(dir, 'src/greeting.ts'), later, later);
    expect((await run(process.execPath, ['bin/kooperator.js', 'Jan'], { cwd: dir })).stdout).toBe('dzień dobry Jan\n');
  });
});
