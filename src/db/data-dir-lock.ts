import { lstatSync, mkdtempSync, realpathSync, rmSync, symlinkSync, unlinkSync, type BigIntStats } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataDirError } from '../config.js';

type Holder = { pid?: number; command?: string; url?: string };

/** Another process holds the embedded database; the message says what to do. */
export class DataDirBusyError extends Error {
  readonly code = 'DATA_DIR_BUSY';
  constructor(readonly dataDir: string, readonly holder: Holder) {
    const who = holder.pid
      ? `pid ${holder.pid}, "${holder.command}"${holder.url ? `, serving ${holder.url}` : ''}`
      : 'it did not say which';
    super(
      `The embedded database in ${dataDir} is in use by another Kooperator process (${who}). PGlite allows one process at a time. ` +
        `Stop that process (Ctrl+C or kill ${holder.pid ?? '<pid>'}) and run this command again, ` +
        `or use PostgreSQL (DATABASE_URL) to run commands beside a running service.`,
    );
  }
}

export interface DataDirLock {
  release(): void;
  describe(url: string): void;
}

// Linux allows 107 bytes in a socket path, macOS 103: the shorter rule holds everywhere.
const MAX_SOCKET_PATH = 103;
const LOCK_NAME = 'kooperator.lock.sock';

/**
 * Where to reach the lock: DATA_DIR/kooperator.lock.sock, always inside the data folder (its real
 * path, so every name of the folder finds the same socket). When that path is too long for a
 * socket, it is reached through a short symlink to the folder, made in a fresh private folder
 * (mkdtemp, 0700) under the temp folder: bind and connect follow it, so the socket itself is
 * still the one in DATA_DIR that every process, container and TMPDIR sees; the symlink is only
 * this process's way to name it.
 */
function lockAddress(dataDir: string): { path: string; done: () => void } {
  let real: string;
  try {
    real = realpathSync(dataDir);
  } catch (error) {
    throw new DataDirError(dataDir, (error as NodeJS.ErrnoException).code);
  }
  const inFolder = join(real, LOCK_NAME);
  if (Buffer.byteLength(inFolder) <= MAX_SOCKET_PATH) return { path: inFolder, done: () => undefined };
  const base = Buffer.byteLength(tmpdir()) <= 60 ? tmpdir() : '/tmp';
  const alias = mkdtempSync(join(base, 'kooperator-'));
  symlinkSync(real, join(alias, 'd'));
  return { path: join(alias, 'd', LOCK_NAME), done: () => rmSync(alias, { recursive: true, force: true }) };
}

type Probe = { state: 'live'; holder: Holder } | { state: 'stale' };

/** Connects to a lock socket: refused means its owner died (the kernel closed it), accepted means alive. */
function probe(path: string): Promise<Probe> {
  return new Promise((done) => {
    let text = '';
    const socket = createConnection(path);
    const live = () => {
      socket.destroy();
      let holder: Holder = {};
      try {
        holder = JSON.parse(text) as Holder;
      } catch {
        // A holder too busy to answer within the second is still alive.
      }
      done({ state: 'live', holder });
    };
    socket.setTimeout(1000, live);
    socket.on('data', (chunk) => (text += chunk.toString()));
    socket.on('end', live);
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // Refused: a socket nobody listens on (or a file). ENOENT: nothing there, or something
      // that leads nowhere (a dangling symlink restored from a backup): either way no holder.
      if (error.code === 'ECONNREFUSED' || error.code === 'ENOENT') done({ state: 'stale' });
      else done({ state: 'live', holder: {} });
    });
  });
}

// Any other failure is the folder's (read-only, a file, full), never the HTTP port's: it is
// told as DATA_DIR's, not as a `listen` error that reads like PORT's.
function listenOn(server: Server, path: string, dataDir: string): Promise<'listening' | 'in-use'> {
  return new Promise((done, fail) => {
    const onError = (error: NodeJS.ErrnoException) => (error.code === 'EADDRINUSE' ? done('in-use') : fail(new DataDirError(dataDir, error.code)));
    server.once('error', onError);
    server.listen(path, () => {
      server.off('error', onError);
      done('listening');
    });
  });
}

/**
 * PGlite's files belong to one process: a second writer corrupts them. The lock is a Unix socket
 * this process listens on. A pid in a file cannot tell a dead owner from a live one (after docker
 * kill or a power cut the pid is often reused, in a new container even by the new process
 * itself); a socket can: the kernel closes it when its owner dies, however it dies, and a connect
 * is then refused. What is in the way and answers no connection is removed, but only if it is
 * still the very file that was probed (see removeStale).
 */
export async function lockDataDir(dataDir: string, command: string): Promise<DataDirLock> {
  const { path, done } = lockAddress(dataDir);
  const info: Holder = { pid: process.pid, command };
  const server = createServer((socket) => socket.end(JSON.stringify(info)));
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      if ((await listenOn(server, path, dataDir)) === 'listening') {
        // The lock must never keep a finished command alive.
        server.unref();
        // The pid file of earlier versions means nothing any more.
        rmSync(join(dataDir, 'pglite.lock'), { force: true });
        // Closing unlinks the socket (through the symlink, if any); then the symlink goes.
        return { release: () => (server.close(), done()), describe: (url) => void (info.url = url) };
      }
      const before = identity(path);
      if (!before) continue; // gone meanwhile: listen again
      const found = await probe(path);
      if (found.state === 'live') throw new DataDirBusyError(dataDir, found.holder);
      removeStale(path, before);
    }
  } catch (error) {
    done();
    throw error;
  }
  done();
  // Five takeovers in a row lost to other processes: some process holds it now.
  throw new DataDirBusyError(dataDir, {});
}

/** Which file is at path: inode and change time in nanoseconds (a reused inode number has a new ctime). */
function identity(path: string): string | undefined {
  try {
    const stat: BigIntStats = lstatSync(path, { bigint: true });
    return `${stat.dev}:${stat.ino}:${stat.ctimeNs}`;
  } catch {
    return undefined;
  }
}

/**
 * Removes the stale file only if it is still the one probed. Another process that took the lock
 * over meanwhile made a new socket (another identity), which is left alone; nothing is renamed,
 * so nothing is ever put back over a newer socket.
 */
function removeStale(path: string, probed: string): void {
  if (identity(path) !== probed) return;
  try {
    unlinkSync(path);
  } catch {
    // Gone already: another process removed it first.
  }
}
