import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { meRoutes } from '../../src/http/me/me-routes.js';
import { createMetrics } from '../../src/http/metrics.js';
import { createHttpServer } from '../../src/http/server.js';
import { createLogger } from '../../src/log.js';
import { personalPageUrl } from '../../src/me/me-link.js';
import { dialects, demoDatabase } from '../support/databases.js';

const SECRET = 'a'.repeat(40);
const PUBLIC = 'https://koop.example.org';

describe.each(dialects)('"urlop od … do …" on the personal page, %s', (kind) => {
  let db: Db;
  let server: Server;
  let base: string;
  let page: string;
  let anna: number;
  const clock = new FixedClock('2027-01-04T08:00:00Z');
  beforeAll(async () => {
    db = await demoDatabase(kind, clock);
    server = createHttpServer({ routes: meRoutes({ db: db.db, clock, appSecret: SECRET, publicUrl: PUBLIC }), mounts: [], metrics: createMetrics(), log: createLogger('silent') });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    anna = (await db.db.selectFrom('people').select('id').where('email', '=', 'anna.nowak@example.org').executeTakeFirstOrThrow()).id;
    page = new URL(await personalPageUrl(db.db, PUBLIC, SECRET, anna, clock.now())).pathname;
  }, 60_000);
  afterAll(async () => {
    server?.close();
    await db?.close();
  });
  const post = (path: string, form: Record<string, string> = {}) =>
    fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });

  it('adds a period (its meetings answered at once), lists it, refuses a bad one and removes it with only its answers', async () => {
    const shown = await (await fetch(`${base}${page}`)).text();
    expect(shown).toContain('Nieobecności');
    expect(shown).toContain('name="from"');
    const bad = await post(`${page}/absence`, { from: '2027-02-01', to: '2027-01-01' });
    expect(bad.status).toBe(400);
    expect(await db.db.selectFrom('absence_periods').select('id').execute()).toEqual([]);
    const added = await post(`${page}/absence`, { from: '2027-01-10', to: '2027-01-20' });
    expect(added.status).toBe(200);
    expect(await added.text()).toContain('1 spotkanie w tym czasie oznaczono „nie będę”');
    const answers = await db.db.selectFrom('meeting_answers').select(['occurrence_date', 'source']).where('person_id', '=', anna).execute();
    expect(answers).toEqual([{ occurrence_date: '2027-01-12', source: 'absence' }]);
    const { id } = await db.db.selectFrom('absence_periods').select('id').executeTakeFirstOrThrow();
    expect((await post(`${page}/absence/${id + 1000}/remove`)).status).toBe(404);
    const removed = await post(`${page}/absence/${id}/remove`);
    expect(removed.status).toBe(200);
    expect(await removed.text()).toContain('Cofnięto 1 odpowiedź');
    expect(await db.db.selectFrom('meeting_answers').select('person_id').execute()).toEqual([]);
  });
});
