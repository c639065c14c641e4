import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { startService, type RunningService } from '../../src/main.js';
import { personalPageUrl } from '../../src/me/me-link.js';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const SECRET = 's'.repeat(40);

/** Bodies a form route must refuse politely, never with a 500. */
describe('bodies posted to the service’s form and page routes', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'koop-bodies-'));
  const config = loadConfig({ DATA_DIR: dataDir, PORT: '0', PUBLIC_URL: 'https://koop.example.org', APP_SECRET: SECRET });
  let service: RunningService;
  let mePath: string;

  beforeAll(async () => {
    service = await startService(config, createLogger('silent'), new FixedClock('2027-01-04T08:00:00Z'));
    const anna = await service.db.db.selectFrom('people').select('id').where('email', '=', 'anna.nowak@example.org').executeTakeFirstOrThrow();
    mePath = new URL(await personalPageUrl(service.db.db, 'https://koop.example.org', SECRET, anna.id, new Date('2027-01-04T08:00:00Z'))).pathname;
  });
  afterAll(async () => service?.stop());

  const post = (path: string, body: string | Blob, headers: Record<string, string> = FORM) => fetch(`${service.url}${path}`, { method: 'POST', headers, body });
  const paths = () => ['/rsvp/abc.def', '/unsubscribe/abc.def', `${mePath}/preferences`, `${mePath}/erase`];

  it.each([
    ['5 KB form to /rsvp (4 KB at most)', 5 * 1024, () => ['/rsvp/abc.def']],
    ['100 KB form anywhere', 100 * 1024, paths],
    ['10 MB form anywhere', 10 * 1024 * 1024, paths],
  ])('should answer a %s with 413 and a polite page in Polish and English', async (_name, size, where) => {
    for (const path of where()) {
      const response = await post(path, `a=${'x'.repeat(size)}`);
      expect(response.status, path).toBe(413);
      const page = await response.text();
      expect(page, path).toContain('Za dużo danych');
      expect(page, path).toContain('Too much data');
    }
  });

  it('should answer a form that is not valid percent-encoding or UTF-8 with 400', async () => {
    for (const body of ['quiet_from=%ZZ', 'confirm=%C3', new Blob([new Uint8Array([0x63, 0x3d, 0xff, 0xfe])])]) {
      for (const path of [`${mePath}/preferences`, `${mePath}/erase`, '/rsvp/abc.def']) {
        const response = await post(path, body);
        expect(response.status, `${path} ${String(body)}`).toBe(400);
        expect(await response.text()).toContain('Nieprawidłowy formularz');
      }
    }
  });

  it('should still take an ordinary form', async () => {
    const response = await post(`${mePath}/erase`, 'confirm=no');
    expect(response.status).toBe(400);
    expect(await response.text()).not.toContain('Nieprawidłowy formularz');
  });
});
