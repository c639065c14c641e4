import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataDirBusyError, lockDataDir } from '../../src/db/data-dir-lock.js';

/**
 * Review finding 6 (the suspected race): taking over a stale lock used to rename it aside and,
 * if a live socket turned up, rename it back, which could overwrite a third process's new
 * socket. Now only the very file probed is removed. Five takers at once on one stale lock:
 * exactly one gets it, every other one is refused, and the winner's socket is still there.
 */
describe('several processes taking over one stale lock at once', () => {
  it('should give the lock to exactly one, twenty times over', { timeout: 60_000 }, async () => {
    for (let round = 0; round < 20; round++) {
      const dataDir = mkdtempSync(join(tmpdir(), 'koop-race-'));
      writeFileSync(join(dataDir, 'kooperator.lock.sock'), 'left by a dead process');
      const outcomes = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => lockDataDir(dataDir, `taker ${i}`)));
      const won = outcomes.filter((o) => o.status === 'fulfilled');
      expect(won, `round ${round}`).toHaveLength(1);
      for (const lost of outcomes.filter((o) => o.status === 'rejected')) expect((lost as PromiseRejectedResult).reason).toBeInstanceOf(DataDirBusyError);
      // The winner still holds it: a latecomer is refused.
      await expect(lockDataDir(dataDir, 'latecomer')).rejects.toBeInstanceOf(DataDirBusyError);
      (won[0] as PromiseFulfilledResult<{ release(): void }>).value.release();
    }
  });
});
