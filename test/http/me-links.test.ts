import { createHash } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { deliveryRenderer } from '../../src/delivery/render-delivery.js';
import { issueFeedToken, liveFeedToken } from '../../src/feeds/feed-tokens.js';
import { meRoutes } from '../../src/http/me/me-routes.js';
import { createMetrics } from '../../src/http/metrics.js';
import { createHttpServer } from '../../src/http/server.js';
import { createLogger } from '../../src/log.js';
import { personalPageUrl } from '../../src/me/me-link.js';
import type { Message } from '../../src/ports/channel.port.js';
import { signLink } from '../../src/security/signed-links.js';
import { dialects, demoDatabase } from '../support/databases.js';

const SECRET = 'm'.repeat(40);
const PUBLIC = 'https://koop.example.org';
const log = createLogger('silent');

/**
 * Issue: the /me link was valid for 30 days, could not be revoked and allowed erasure, so a
 * forwarded e-mail handed over the account. Links are now long random tokens, stored hashed and
 * revocable; erasure and feed revocation ask for a fresh confirmation sent to the person's own
 * channel; a person can end all their links at once.
 */
describe.each(dialects)('personal links on %s', (kind) => {
  let db: Db;
  let server: Server;
  let base: string;
  let anna: number;
  const clock = new FixedClock('2027-01-04T08:00:00Z');
  const inbox: { address: string; message: Message }[] = [];
  const dispatcher = () =>
    new Dispatcher({
      db: db.db,
      clock,
      log,
      workerId: 'w',
      senders: new Map([['email', { kind: 'email', send: async (address: string, message: Message) => (inbox.push({ address, message }), { ok: true }) }]]),
      render: deliveryRenderer(db.db, PUBLIC, SECRET),
    });
  const pathOf = (url: string) => new URL(url).pathname;
  const post = (path: string, form: Record<string, string> = {}) =>
    fetch(`${base}${path}`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });
  const erased = async () => (await db.db.selectFrom('people').select('removed_at').where('id', '=', anna).executeTakeFirstOrThrow()).removed_at !== null;
  /** The confirmation link the last message to Anna carries. */
  const confirmationPath = () => {
    const text = JSON.stringify(inbox.filter((m) => m.address === 'anna.nowak@example.org').at(-1)?.message ?? {});
    return /\/me\/confirm\/[A-Za-z0-9_-]+/.exec(text)?.[0];
  };

  beforeAll(async () => {
    db = await demoDatabase(kind, clock);
    await db.db.updateTable('people').set({ channels: JSON.stringify(['email']) }).execute();
    anna = (await db.db.selectFrom('people').select('id').where('email', '=', 'anna.nowak@example.org').executeTakeFirstOrThrow()).id;
    server = createHttpServer({ routes: meRoutes({ db: db.db, clock, appSecret: SECRET, publicUrl: PUBLIC }), mounts: [], metrics: createMetrics(), log });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    await db?.close();
  });

  it('should give a long random link, stored only as a hash, the same one while it lives; an old signed link opens nothing', async () => {
    const url = await personalPageUrl(db.db, PUBLIC, SECRET, anna, clock.now());
    const token = url.split('/').at(-1)!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await personalPageUrl(db.db, PUBLIC, SECRET, anna, clock.now())).toBe(url);
    const stored = JSON.stringify(await db.db.selectFrom('personal_links').selectAll().execute());
    expect(stored).not.toContain(token);
    expect(stored).toContain(createHash('sha256').update(token).digest('hex'));
    expect((await fetch(`${base}${pathOf(url)}`)).status).toBe(200);
    const signed = signLink(SECRET, { purpose: 'me', subject: String(anna), expiresAt: new Date(clock.now().getTime() + 86_400_000) });
    const old = await fetch(`${base}/me/${signed}`);
    expect(old.status).toBe(410);
    expect(await old.text()).toContain('Link wygasł');
  });

  it('should not erase from the page itself, but send a confirmation to the person, which erases only on its own button, once', async () => {
    const page = pathOf(await personalPageUrl(db.db, PUBLIC, SECRET, anna, clock.now()));
    const asked = await post(`${page}/erase`, { confirm: 'yes' });
    expect(asked.status).toBe(200);
    expect(await asked.text()).toContain('wysłaliśmy');
    expect(await erased()).toBe(false);
    await dispatcher().drain();
    const confirm = confirmationPath();
    expect(confirm).toBeDefined();
    // A mail scanner's GET changes nothing.
    const shown = await fetch(`${base}${confirm}`);
    expect(shown.status).toBe(200);
    expect(await erased()).toBe(false);
    expect((await post(confirm!)).status).toBe(200);
    expect(await erased()).toBe(true);
    expect((await post(confirm!)).status).toBe(404);
    expect((await fetch(`${base}${page}`)).status).toBe(410);
  });

  it('should renew the feed link only from a confirmation, and end every link of the person at once', async () => {
    const marta = (await db.db.selectFrom('people').select('id').where('email', '=', 'marta.grabowska@example.org').executeTakeFirstOrThrow()).id;
    await issueFeedToken(db.db, marta, SECRET, clock);
    const feed = await liveFeedToken(db.db, marta, SECRET);
    const page = pathOf(await personalPageUrl(db.db, PUBLIC, SECRET, marta, clock.now()));
    expect((await post(`${page}/feed`)).status).toBe(200);
    expect(await liveFeedToken(db.db, marta, SECRET)).toBe(feed);
    await dispatcher().drain();
    const mail = inbox.filter((m) => m.address === 'marta.grabowska@example.org').at(-1)!;
    const confirm = /\/me\/confirm\/[A-Za-z0-9_-]+/.exec(JSON.stringify(mail.message))![0];
    expect((await post(confirm)).status).toBe(200);
    expect(await liveFeedToken(db.db, marta, SECRET)).not.toBe(feed);

    // A confirmation asked for and not used dies with the others.
    await post(`${page}/feed`);
    await dispatcher().drain();
    const pending = /\/me\/confirm\/[A-Za-z0-9_-]+/.exec(JSON.stringify(inbox.filter((m) => m.address === 'marta.grabowska@example.org').at(-1)!.message))![0];
    expect((await post(`${page}/links/end`)).status).toBe(200);
    expect((await fetch(`${base}${page}`)).status).toBe(404);
    expect((await post(pending)).status).toBe(404);
    const fresh = pathOf(await personalPageUrl(db.db, PUBLIC, SECRET, marta, clock.now()));
    expect(fresh).not.toBe(page);
    expect((await fetch(`${base}${fresh}`)).status).toBe(200);
  });

  it('should let a link expire after 30 days', async () => {
    const marta = (await db.db.selectFrom('people').select('id').where('email', '=', 'marta.grabowska@example.org').executeTakeFirstOrThrow()).id;
    const page = pathOf(await personalPageUrl(db.db, PUBLIC, SECRET, marta, clock.now()));
    clock.set('2027-02-04T08:00:01Z');
    expect((await fetch(`${base}${page}`)).status).toBe(410);
  });
});
