import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataDirBusyError, lockDataDir, type DataDirLock } from '../../src/db/data-dir-lock.js';

/**
 * Review: for a DATA_DIR too long for a socket path the lock goes to os.tmpdir()
 * (data-dir-lock.ts lockSocketPath), which is each process's own TMPDIR. The service (under
 * systemd with PrivateTmp=, or another TMPDIR) and an operator's `kooperator import` in a shell
 * then hold two different locks on one PGlite folder, and both write to it. The lock should
 * live where every process that opens the folder sees it (e.g. refuse such a DATA_DIR, or a
 * fixed short folder), never in a per-process temp folder.
 */
const deep = (base: string) => join(base, 'a-folder-with-a-rather-long-name-for-the-socket-path', 'and-another-one-to-pass-103-bytes', 'data');

describe('Review: the lock of a long DATA_DIR seen from a process with another TMPDIR', () => {
  const saved = process.env.TMPDIR;
  afterEach(() => {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  });

  it('should refuse the second process although its TMPDIR differs', async () => {
    const base = mkdtempSync(join(tmpdir(), 'koop-tmpdir-'));
    const dataDir = deep(base);
    mkdirSync(dataDir, { recursive: true });
    const service = await lockDataDir(dataDir, 'serve');
    // The operator's shell: the same folder, another temp folder.
    const shellTmp = join(base, 'shell-tmp');
    mkdirSync(shellTmp);
    process.env.TMPDIR = shellTmp;
    let command: DataDirLock | undefined;
    try {
      await expect(lockDataDir(dataDir, 'import').then((lock) => (command = lock))).rejects.toBeInstanceOf(DataDirBusyError);
    } finally {
      command?.release();
      service.release();
    }
  });
});
