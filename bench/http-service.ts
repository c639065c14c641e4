/**
 * Child process of the HTTP benchmark: the real service (startService, as `serve` runs it) on
 * a temp DATA_DIR and a free port, the 500-team file imported first, the clock fixed so the
 * team feed holds two years of meetings. Tells the parent its URL over IPC, stops on SIGTERM
 * or when the parent goes away.
 *
 *   BENCH_MODE=service  the service (default)
 *   BENCH_MODE=bare     a bare node:http server answering the same bytes with ETag/304, for scale
 *   BENCH_MODE=cluster  the same bare server in node:cluster workers (BENCH_WORKERS, default 2)
 */
import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/log.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { openDatabase, startService } from '../src/main.js';
import { importSchedules } from '../src/schedule/import-schedule.js';
import { loadScheduleFiles } from '../src/schedule/load-schedule.js';
import { DEFAULT_ZONE, benchClock } from './fixtures.js';
import { serveUntilStopped } from './support.js';

type Message = { url: string } | { error: string };
const send = (message: Message) => process.send?.(message);

async function service(): Promise<() => Promise<void>> {
  const config = loadConfig({ DATA_DIR: process.env.DATA_DIR, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' });
  const clock = benchClock();
  const schedule = process.env.BENCH_SCHEDULE;
  if (schedule) {
    // As `kooperator import` before `serve`: the database is then not empty, so no demo import.
    const db = await openDatabase(config, 'import');
    try {
      await migrateToLatest(db.db);
      await importSchedules(db.db, await loadScheduleFiles([schedule]), { clock, defaultTimezone: DEFAULT_ZONE });
    } finally {
      await db.close();
    }
  }
  const running = await startService(config, createLogger(config.logLevel), clock);
  send({ url: running.url });
  return running.stop;
}

/** The cluster's primary: forks the workers (which run bare() on the shared port) and waits for them. */
async function primary(): Promise<() => Promise<void>> {
  const count = Number(process.env.BENCH_WORKERS ?? 2);
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
  const workers = Array.from({ length: count }, () => cluster.fork({ ...process.env, BENCH_PORT: String(port) }));
  await Promise.all(workers.map((w) => new Promise<void>((resolve) => w.once('listening', () => resolve()))));
  send({ url: `http://127.0.0.1:${port}` });
  return async () => {
    await Promise.all(workers.map((w) => new Promise<void>((resolve) => (w.once('exit', () => resolve()), w.kill('SIGTERM')))));
  };
}

async function bare(): Promise<() => Promise<void>> {
  const body = readFileSync(process.env.BENCH_BODY!);
  const etag = process.env.BENCH_ETAG!;
  const headers = { etag, 'cache-control': 'public, max-age=300', 'content-type': 'text/calendar; charset=utf-8' };
  const server = createServer((req, res) => {
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, headers);
      return void res.end();
    }
    res.writeHead(200, { ...headers, 'content-length': body.length });
    res.end(body);
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(Number(process.env.BENCH_PORT ?? 0), '127.0.0.1', resolve));
  const address = server.address();
  if (cluster.isWorker) return () => new Promise<void>((resolve) => (server.close(() => resolve()), server.closeAllConnections()));
  send({ url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` });
  return () => new Promise<void>((resolve) => (server.close(() => resolve()), server.closeAllConnections()));
}

const mode = process.env.BENCH_MODE;
// A cluster worker stops with its primary, not when the IPC channel to it goes away.
serveUntilStopped(mode === 'cluster' ? (cluster.isPrimary ? primary() : bare()) : mode === 'bare' ? bare() : service(), { onDisconnect: cluster.isPrimary });
