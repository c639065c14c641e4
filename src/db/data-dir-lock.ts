import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** Another process holds the embedded database; the message says what to do. */
export class DataDirBusyError extends Error {
  readonly code = 'DATA_DIR_BUSY';
  constructor(readonly dataDir: string, readonly holder: { pid: number; command: string; url?: string }) {
    super(
      `The embedded database in ${dataDir} is in use by another Kooperator process (pid ${holder.pid}, "${holder.command}"` +
        `${holder.url ? `, serving ${holder.url}` : ''}). PGlite allows one process at a time. ` +
        `Stop that process (Ctrl+C or kill ${holder.pid}) and run this command again, ` +
        `or use PostgreSQL (DATABASE_URL) to run commands beside a running service.`,
    );
  }
}

export interface DataDirLock {
  release(): void;
  describe(url: string): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * PGlite's files belong to one process: a second writer corrupts them. The lock file is made
 * with O_EXCL; one left by a process that died is taken over.
 */
export function lockDataDir(dataDir: string, command: string): DataDirLock {
  const file = join(dataDir, 'pglite.lock');
  const write = (fd: number, info: object) => writeSync(fd, JSON.stringify(info), 0);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      const info: { pid: number; command: string; url?: string } = { pid: process.pid, command };
      write(fd, info);
      closeSync(fd);
      return {
        release: () => rmSync(file, { force: true }),
        describe: (url) => {
          info.url = url;
          const again = openSync(file, 'w');
          write(again, info);
          closeSync(again);
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      let holder: { pid: number; command: string; url?: string } | undefined;
      try {
        holder = JSON.parse(readFileSync(file, 'utf8'));
      } catch {
        holder = undefined;
      }
      if (holder && alive(holder.pid)) throw new DataDirBusyError(dataDir, holder);
      rmSync(file, { force: true });
    }
  }
  throw new Error(`Could not lock ${file}`);
}
