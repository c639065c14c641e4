import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** `vitest run` of the browser tests in a child, as `npm test` runs it, on a machine whose Chromium is missing. */
function runBrowserTests(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', 'test/http/pages-browser.test.ts', '--maxWorkers=1'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', CHROMIUM_PATH: '/nonexistent/chromium', NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
}

/** Issue 14: without Chromium, `npm test` skipped the browser tests silently, and CI passed. */
describe('the browser tests without Chromium', () => {
  it('should say in the summary that they were skipped and why', { timeout: 90_000 }, async () => {
    const { code, output } = await runBrowserTests({});
    expect(code).toBe(0);
    const summary = output.slice(output.lastIndexOf('Test Files'));
    expect(summary).toContain('The browser tests were SKIPPED: /nonexistent/chromium is missing');
  });

  it('should fail the run when REQUIRE_BROWSER=1 (as .ci/run sets)', { timeout: 90_000 }, async () => {
    const { code, output } = await runBrowserTests({ REQUIRE_BROWSER: '1' });
    expect(code).toBe(1);
    expect(output).toContain('REQUIRE_BROWSER=1');
  });
});
