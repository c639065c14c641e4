import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { lockDataDir } from '../../src/db/data-dir-lock.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The pid of the service that `npm start` runs, from its first log line. */
function servicePid(npm: ChildProcess): Promise<number> {
  let seen = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the service did not start: ${seen}`)), 60_000);
    npm.stdout!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const line = seen.split('\n').find((l) => l.includes('is listening on'));
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line).pid as number);
      }
    });
  });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function gone(pid: number, withinMs: number): Promise<boolean> {
  for (const started = Date.now(); Date.now() - started < withinMs; ) {
    if (!alive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return !alive(pid);
}

describe('npm start', () => {
  const started: number[] = [];
  afterAll(() => started.filter(alive).forEach((pid) => process.kill(pid, 'SIGKILL')));

  it.each(['SIGTERM', 'SIGKILL'] as const)('should stop the service when the npm process is sent %s, and free the data folder', { timeout: 90_000 }, async (signal) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'koop-npm-'));
    const npm = spawn('npm', ['start'], { cwd: ROOT, env: { ...process.env, DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const pid = await servicePid(npm);
    started.push(pid);
    npm.kill(signal);
    expect(await gone(pid, 5_000)).toBe(true);
    (await lockDataDir(dataDir, 'import')).release();
  });
});
