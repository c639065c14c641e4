import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { DataDirBusyError, lockDataDir } from '../../src/db/data-dir-lock.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const children: ChildProcess[] = [];
// Each test below starts a holder under tsx, which takes a second alone and far longer on two
// cores busy with the rest of the suite: 30 s (the default) was not enough there. Like the
// other tests that start processes, these get 90 s.
const STARTS_A_PROCESS = { timeout: 90_000 };

/** Another process that takes the lock of `dataDir` and keeps it; resolves once it holds it. */
async function holder(dataDir: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/db/hold-data-dir.ts', dataDir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('locked') && resolve());
    child.once('exit', (code) => reject(new Error(`the holder exited with ${code}`)));
  });
  return child;
}

async function kill(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

describe('the lock of the embedded database folder', () => {
  it('should be taken over after its holder was killed (docker kill, OOM), even when the pid it named now belongs to a live process', STARTS_A_PROCESS, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'koop-lock-'));
    await kill(await holder(dataDir));
    // In a new container the dead holder's pid is often this very process or another live one.
    writeFileSync(join(dataDir, 'pglite.lock'), JSON.stringify({ pid: process.pid, command: 'serve' }));
    const lock = await lockDataDir(dataDir, 'serve');
    lock.release();
  });

  it('should refuse while a live process holds it, naming its pid, command and address', STARTS_A_PROCESS, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'koop-lock-'));
    const child = await holder(dataDir);
    const error = await Promise.resolve().then(() => lockDataDir(dataDir, 'import')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataDirBusyError);
    expect((error as Error).message).toContain(`pid ${child.pid}, "serve", serving http://127.0.0.1:3999`);
    expect((error as Error).message).toMatch(/Stop that process .* and run this command again/);
    await kill(child);
    (await lockDataDir(dataDir, 'import')).release();
  });

  it('should be released by release() and by the end of its process, and be taken again', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'koop-lock-'));
    const first = await lockDataDir(dataDir, 'serve');
    await expect(Promise.resolve().then(() => lockDataDir(dataDir, 'import'))).rejects.toBeInstanceOf(DataDirBusyError);
    first.release();
    (await lockDataDir(dataDir, 'import')).release();
  });

  it('should work for a folder whose path is too long for a Unix socket, and still refuse a second holder', STARTS_A_PROCESS, async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'koop-lock-')), 'a-rather-long-folder-name-for-the-data'.repeat(3));
    mkdirSync(dataDir, { recursive: true });
    expect(Buffer.byteLength(join(dataDir, 'kooperator.lock.sock'))).toBeGreaterThan(107);
    const child = await holder(dataDir);
    await expect(Promise.resolve().then(() => lockDataDir(dataDir, 'import'))).rejects.toBeInstanceOf(DataDirBusyError);
    await kill(child);
    (await lockDataDir(dataDir, 'import')).release();
  });
});
