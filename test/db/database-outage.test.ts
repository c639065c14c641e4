import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../adapters/db/connect.js';
import { loadConfig } from '../../src/config.js';
import type { Db } from '../../src/db/db.port.js';
import { createLogger } from '../../src/log.js';
import { startService, type RunningService } from '../../src/main.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

const URL_ = process.env.TEST_DATABASE_URL;

/** Polls until `check` holds, or fails after `withinMs`. */
async function eventually(check: () => Promise<boolean>, withinMs: number, what: string): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check().catch(() => false)) return Date.now() - started;
    if (Date.now() - started > withinMs) throw new Error(`${what}: not within ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// The real PostgreSQL of this machine is shared with other suites: the faults are made on the
// service's own connections only, through pg_terminate_backend and a proxy on loopback.
describe.skipIf(!URL_)('the service while PostgreSQL restarts or freezes', () => {
  const name = `koop_outage_${randomBytes(4).toString('hex')}`;
  let admin: Db;
  let proxy: TcpProxy;
  let service: RunningService;
  const status = async (path: string) => (await fetch(`${service.url}${path}`, { signal: AbortSignal.timeout(5_000) })).status;

  beforeAll(async () => {
    admin = await connect({ databaseUrl: URL_!, poolSize: 1 });
    await sql`create database ${sql.id(name)}`.execute(admin.db);
    const target = new URL(URL_!);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const through = new URL(URL_!);
    through.port = String(proxy.port);
    through.pathname = `/${name}`;
    const config = loadConfig({ DATABASE_URL: through.toString(), PORT: '0', DATA_DIR: mkdtempSync(join(tmpdir(), 'koop-outage-')), DATABASE_TIMEOUT_SECONDS: '2' });
    service = await startService(config, createLogger('silent'));
  }, 60_000);
  afterAll(async () => {
    await service?.stop();
    await proxy?.close();
    await sql`drop database if exists ${sql.id(name)} with (force)`.execute(admin.db);
    await admin?.close();
  });

  it('should survive its connections being terminated and answer again by itself', { timeout: 30_000 }, async () => {
    expect(await status('/readyz')).toBe(200);
    await sql`select pg_terminate_backend(pid) from pg_stat_activity where datname = ${name}`.execute(admin.db);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await status('/healthz')).toBe(200);
    await eventually(async () => (await status('/readyz')) === 200, 10_000, 'ready again');
    await sql`select 1`.execute(service.db.db);
  });

  it('should answer 503 on /readyz while the database is away, stay live, and be ready again when it is back', { timeout: 60_000 }, async () => {
    await proxy.cut();
    await eventually(async () => (await status('/readyz')) === 503, 5_000, '503 while the database is away');
    expect(await status('/healthz')).toBe(200);
    await proxy.restore();
    await eventually(async () => (await status('/readyz')) === 200, 15_000, 'ready after the database came back');
  });

  it('should fail a query after the time limit instead of hanging while the database is frozen, and recover', { timeout: 60_000 }, async () => {
    proxy.pause();
    const started = Date.now();
    await expect(sql`select 1`.execute(service.db.db)).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(4_500);
    expect(await status('/readyz')).toBe(503);
    await proxy.restore();
    await eventually(async () => (await status('/readyz')) === 200, 15_000, 'ready after the freeze');
    await sql`select 1`.execute(service.db.db);
  });
});
