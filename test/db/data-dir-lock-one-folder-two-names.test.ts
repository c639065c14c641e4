import { mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataDirBusyError, lockDataDir, type DataDirLock } from '../../src/db/data-dir-lock.js';

/**
 * Review: for a DATA_DIR too long for a socket path, the lock lives in the temp folder under a
 * hash of resolve(dataDir) (data-dir-lock.ts lockSocketPath), a hash of how the folder is
 * spelled, not of which folder it is. One folder reached through a symlink (a short
 * /srv/kooperator → the long real folder, or two mounts' names) gets two locks, and two
 * processes open one PGlite folder at once, which corrupts it. A socket inside the folder
 * (short paths) is the same file under every name; the hash should be of realpath(dataDir).
 */
const deep = (base: string) => join(base, 'a-folder-with-a-rather-long-name-for-the-socket-path', 'and-another-one-to-pass-103-bytes', 'data');

describe('Review: one data folder under two names', () => {
  it('should refuse the second lock when the long folder is reached through a symlink with another long name', async () => {
    const base = mkdtempSync(join(tmpdir(), 'koop-alias-'));
    const real = deep(join(base, 'real'));
    mkdirSync(real, { recursive: true });
    const other = join(base, 'also-a-rather-long-name-of-a-link-to-the-same-folder-for-the-lock');
    symlinkSync(real, other);
    const first = await lockDataDir(real, 'serve');
    let second: DataDirLock | undefined;
    try {
      await expect(lockDataDir(other, 'serve').then((lock) => (second = lock))).rejects.toBeInstanceOf(DataDirBusyError);
    } finally {
      second?.release();
      first.release();
    }
  });

  it('should refuse the second lock when a short symlink names the long folder', async () => {
    const base = mkdtempSync(join(tmpdir(), 'koop-alias-'));
    const real = deep(join(base, 'real'));
    mkdirSync(real, { recursive: true });
    const short = join(base, 'd');
    symlinkSync(real, short);
    const first = await lockDataDir(real, 'serve');
    let second: DataDirLock | undefined;
    try {
      await expect(lockDataDir(short, 'serve').then((lock) => (second = lock))).rejects.toBeInstanceOf(DataDirBusyError);
    } finally {
      second?.release();
      first.release();
    }
  });
});
