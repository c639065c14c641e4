import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { DataDirBusyError } from '../../src/db/data-dir-lock.js';
import { createLogger } from '../../src/log.js';
import { healthRoutes, startingRoutes, type StartupState } from '../../src/http/health-routes.js';
import { createMetrics } from '../../src/http/metrics.js';
import { createHttpServer } from '../../src/http/server.js';
import { openDatabase, startService, type RunningService } from '../../src/main.js';
import { freshDatabase } from '../support/databases.js';

describe('the service on the embedded default', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'koop-service-'));
  const config = loadConfig({ DATA_DIR: dataDir, PORT: '0', PUBLIC_URL: 'https://koop.example.org' });
  let service: RunningService;

  beforeAll(async () => {
    service = await startService(config, createLogger('silent'), new FixedClock('2027-01-04T08:00:00Z'));
  });
  afterAll(async () => service?.stop());

  it('should import the demo schedule into the empty database and report healthy', async () => {
    const response = await fetch(`${service.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', db: 'pglite', channels: { slack: 'off', teams: 'off', email: 'outbox' }, ready: true });
    const teams = await service.db.db.selectFrom('teams').select('id').orderBy('id').execute();
    expect(teams.map((t) => t.id)).toContain('lodz');
  });

  it('should show the next eight weeks on the schedule page with Polish dates and a subscribe link', async () => {
    const response = await fetch(`${service.url}/`);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await response.text();
    expect(html).toContain('<html lang="pl">');
    expect(html).toContain('wtorek, 12 stycznia 2027, 10:00');
    expect(html).toContain('webcal://koop.example.org/calendars/all.ics');
  });

  it('should answer unknown paths with 404 and wrong methods with 405, as JSON with a reason', async () => {
    const missing = await fetch(`${service.url}/nope`);
    expect(missing.status).toBe(404);
    expect((await missing.json()).error).toBe('not_found');
    const wrong = await fetch(`${service.url}/calendars/all.ics`, { method: 'POST' });
    expect(wrong.status).toBe(405);
  });

  it('should serve the RCPS report page, answering a link that is not one with a polite 404 page', async () => {
    const response = await fetch(`${service.url}/reports/abc.def`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await response.text()).toContain('Ten link jest nieważny');
  });

  it('should expose Prometheus metrics counting requests by route', async () => {
    await fetch(`${service.url}/calendars/all.ics`);
    const text = await (await fetch(`${service.url}/metrics`)).text();
    expect(text).toMatch(/kooperator_http_requests_total\{route="feed_all",status="200"\} \d+/);
  });

  it('should expose the event loop delay since the previous scrape (p50, p99, max) on /metrics', async () => {
    const text = await (await fetch(`${service.url}/metrics`)).text();
    for (const name of ['p50', 'p99', 'max']) expect(text).toMatch(new RegExp(`^kooperator_event_loop_delay_${name}_seconds \\d`, 'm'));
  });

  it('should refuse a second process on the same data folder with a message saying what to do', async () => {
    const error = await openDatabase(config, 'import').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataDirBusyError);
    expect((error as Error).message).toContain(`pid ${process.pid}`);
    expect((error as Error).message).toContain(service.url);
  });
});

describe('the service after a restart', () => {
  it('should not import the demo again and should keep the data', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'koop-restart-'));
    const config = loadConfig({ DATA_DIR: dataDir, PORT: '0' });
    const first = await startService(config, createLogger('silent'));
    await first.db.db.deleteFrom('activities').where('id', 'like', 'konferencja%').execute();
    const left = await first.db.db.selectFrom('activities').select('id').execute();
    await first.stop();
    const second = await startService(config, createLogger('silent'));
    try {
      expect(await second.db.db.selectFrom('activities').select('id').execute()).toEqual(left);
      expect((await second.db.db.selectFrom('import_runs').select('id').execute()).length).toBe(1);
    } finally {
      await second.stop();
    }
  });

  it('should make links point at the port it really listens on when PUBLIC_URL is unset, and say so at start', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'koop-links-'));
    const lines: string[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const service = await startService(loadConfig({ DATA_DIR: dataDir, PORT: '0' }), log, new FixedClock('2027-01-04T08:00:00Z'));
    try {
      const port = new URL(service.url).port;
      expect(port).not.toBe('0');
      const html = await (await fetch(`${service.url}/`)).text();
      expect(html).toContain(`webcal://localhost:${port}/calendars/all.ics`);
      expect(html).not.toContain('localhost:3000');
      const said = lines.map((l) => JSON.parse(l).msg as string).find((m) => m.startsWith('Links use'));
      expect(said).toBe(`Links use http://localhost:${port} (PUBLIC_URL is unset: the address this service listens on; set PUBLIC_URL to the address people reach it at)`);
    } finally {
      await service.stop();
    }
  });

  it('should stay live on /healthz but answer 503 on /readyz when the database is gone', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'koop-down-'));
    const service = await startService(loadConfig({ DATA_DIR: dataDir, PORT: '0' }), createLogger('silent'));
    expect((await fetch(`${service.url}/readyz`)).status).toBe(200);
    await service.db.close();
    const ready = await fetch(`${service.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: 'unavailable', reason: 'database unreachable', db: 'pglite' });
    expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
    await new Promise<void>((resolve) => service.server.close(() => resolve()));
  });
});

describe('the service while it starts', () => {
  it('should answer /healthz with ready: false and the step it is at, /readyz and every other address 503 with Retry-After', async () => {
    const db = await freshDatabase('pglite');
    const metrics = createMetrics();
    const startup: StartupState = { ready: false, step: 'schedule' };
    const health = healthRoutes(db.db, db.kind, { slack: 'off' }, metrics, startup);
    const server = createHttpServer({ routes: [...health, ...startingRoutes()], mounts: [], metrics, log: createLogger('silent') });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const early = await fetch(`${base}/healthz`);
      expect(early.status).toBe(200);
      expect(await early.json()).toEqual({ status: 'ok', db: 'pglite', channels: { slack: 'off' }, ready: false, starting: 'schedule' });
      for (const method of ['GET', 'POST']) {
        const calendar = await fetch(`${base}/calendars/all.ics`, { method });
        expect(calendar.status).toBe(503);
        expect(calendar.headers.get('retry-after')).toBe('1');
        expect((await calendar.json()).error).toBe('starting');
      }
      const notReady = await fetch(`${base}/readyz`);
      expect(notReady.status).toBe(503);
      expect(notReady.headers.get('retry-after')).toBe('1');
      expect(await notReady.json()).toEqual({ status: 'starting', starting: 'schedule', db: 'pglite' });
      expect((await fetch(`${base}/metrics`)).status).toBe(200);
      startup.ready = true;
      expect(await (await fetch(`${base}/healthz`)).json()).toMatchObject({ status: 'ok', ready: true });
      const ready = await fetch(`${base}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: 'ready', db: 'pglite' });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await db.close();
    }
  });
});
