import { createHash } from 'node:crypto';
import { renameSync, rmSync, unlinkSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
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
  /** Where the lock lives when that is not the data folder itself (a path too long for a socket). */
  readonly note?: string;
}

// Linux allows 107 bytes in a socket path, macOS 103: the shorter rule holds everywhere.
const MAX_SOCKET_PATH = 103;

/** The socket that is the lock: in the folder, or for a long path in the temp folder under a hash of it. */
export function lockSocketPath(dataDir: string): { path: string; note?: string } {
  const inFolder = join(dataDir, 'kooperator.lock.sock');
  if (Buffer.byteLength(inFolder) <= MAX_SOCKET_PATH) return { path: inFolder };
  const hash = createHash('sha256').update(resolve(dataDir)).digest('hex').slice(0, 24);
  const path = join(tmpdir(), `kooperator-${hash}.sock`);
  return {
    path,
    note: `DATA_DIR's path is too long for a Unix socket (${Buffer.byteLength(inFolder)} bytes with the lock's name, at most ${MAX_SOCKET_PATH}), ` +
      `so its lock is ${path}; processes in other containers sharing the folder do not see it: use a shorter DATA_DIR there`,
  };
}

type Probe = { state: 'live'; holder: Holder } | { state: 'stale' } | { state: 'absent' };

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
      if (error.code === 'ECONNREFUSED') done({ state: 'stale' });
      else if (error.code === 'ENOENT') done({ state: 'absent' });
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
 * is then refused. A stale socket is renamed aside before it is removed, so of two processes
 * taking it over at once only one removes it, and the other then finds the winner listening.
 */
export async function lockDataDir(dataDir: string, command: string): Promise<DataDirLock> {
  const { path, note } = lockSocketPath(dataDir);
  const info: Holder = { pid: process.pid, command };
  const server = createServer((socket) => socket.end(JSON.stringify(info)));
  for (let attempt = 0; attempt < 5; attempt++) {
    if ((await listenOn(server, path, dataDir)) === 'listening') {
      // The lock must never keep a finished command alive.
      server.unref();
      // The pid file of earlier versions means nothing any more.
      rmSync(join(dataDir, 'pglite.lock'), { force: true });
      return { note, release: () => void server.close(), describe: (url) => void (info.url = url) };
    }
    const found = await probe(path);
    if (found.state === 'live') throw new DataDirBusyError(dataDir, found.holder);
    if (found.state === 'stale') await removeStale(dataDir, path);
  }
  throw new Error(`Could not lock ${dataDir}: its lock ${path} keeps changing hands`);
}

async function removeStale(dataDir: string, path: string): Promise<void> {
  const aside = `${path}.${process.pid}.stale`;
  try {
    renameSync(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // another process took it over first
    throw error;
  }
  const again = await probe(aside);
  if (again.state === 'live') {
    // Between our probe and the rename another process took it over: give it back.
    renameSync(aside, path);
    throw new DataDirBusyError(dataDir, again.holder);
  }
  try {
    unlinkSync(aside);
  } catch {
    // Gone already.
  }
}
