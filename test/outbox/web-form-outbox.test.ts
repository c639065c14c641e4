import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/http/metrics.js';
import { createHttpServer } from '../../src/http/server.js';
import { createLogger } from '../../src/log.js';
import { formRoutes } from '../../src/reports/form-routes.js';
import { formLink } from '../../src/reports/report-forms.js';
import { dialects } from '../support/databases.js';
import { sentCounts } from './each-write.js';
import { openWorld, SECRET, type World } from './world.js';

const log = createLogger('silent');
const CODE = 'LDZ-2027-001';

describe.each(dialects)('the problem web form when queueing its messages fails, on %s', (kind) => {
  let world: World | undefined;
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await world?.close();
    world = server = undefined;
  });

  // The page's link carries a nonce, and the nonce is the submission's key for good (not only ten
  // minutes): a report stored without its messages could never be sent again from that page.
  it('should store and route the report when the same page is sent again, once', async () => {
    const w = (world = await openWorld(kind));
    server = createHttpServer({ routes: formRoutes({ db: w.db.db, clock: w.clock, publicUrl: 'http://x', appSecret: SECRET, log }), mounts: [], metrics: createMetrics(), log });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const url = formLink(SECRET, base, 'problem', await w.personId('katarzyna.wisniewska@example.org'), w.clock.now()).replace('http://x', base);
    const post = () =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ category: 'audit', urgency: 'urgent', description: 'Kontrola w piątek', link: '' }).toString(),
      });

    w.faults.failFirst(/insert into "?deliveries"?/);
    expect((await post()).status).toBe(500);
    const again = await post();
    expect(await again.text()).toContain(`Zgłoszenie ma numer ${CODE}`);
    w.clock.advance(86_400_000);
    expect(await (await post()).text()).toContain(`już przyjęliśmy jako ${CODE}`);
    await w.drain();
    const [jan, ela] = [await w.personId('jan.kowalski@example.org'), await w.personId('elzbieta.pawlak@example.org')];
    expect(sentCounts(w, `report:${CODE}:new:`)).toEqual({ [`report:${CODE}:new:${jan}`]: 1, [`report:${CODE}:new:${ela}`]: 1 });
  });
});
