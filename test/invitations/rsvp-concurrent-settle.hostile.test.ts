import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connect } from '../../adapters/db/connect.js';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { createMetrics } from '../../src/http/metrics.js';
import { rsvpRoutes } from '../../src/http/rsvp-routes.js';
import { createHttpServer } from '../../src/http/server.js';
import { answerInvitation, waitingList, type Answer } from '../../src/invitations/rsvp.js';
import { createLogger } from '../../src/log.js';
import { signLink } from '../../src/security/signed-links.js';
import { dialects, freshDatabase } from '../support/databases.js';
import { everyone, fullWithTwoWaiting, importFixture, personId, WORKSHOP } from './support.js';

/**
 * Hostile review of the one-read answer (rsvp.ts answerState): answers truly at once on
 * PostgreSQL (separate connections), where the read after the lock must see what the
 * transaction it waited for committed: a decline freeing a seat while the head of the list and
 * a newcomer accept, and two declines at once. Whatever the commit order: never more held than
 * seats, every freed seat offered (with one message) in the transaction that freed it.
 * And the e-mail link's POST to an activity that is gone: the bad-link page, no answer told.
 */
describe.each(dialects)('answers at once and links to nothing on %s', (kind) => {
  let db: Db;
  const clock = new FixedClock('2027-02-01T09:00:00Z');
  beforeEach(async () => {
    clock.set('2027-02-01T09:00:00Z');
    db = await freshDatabase(kind);
    await importFixture(db.db, clock);
  });
  afterEach(async () => db?.close());

  async function atOnce(requests: { email: string; answer: Answer }[]) {
    const ids = await Promise.all(requests.map((r) => personId(db.db, r.email)));
    if (kind !== 'postgres') {
      const out = [];
      for (const [i, r] of requests.entries()) out.push(await answerInvitation(db.db, clock, { activityId: WORKSHOP, personId: ids[i]!, answer: r.answer }));
      return out;
    }
    const schema = (await db.db.selectNoFrom((eb) => eb.fn<string>('current_schema').as('s')).executeTakeFirstOrThrow()).s;
    const others = await Promise.all(requests.map(() => connect({ databaseUrl: process.env.TEST_DATABASE_URL!, schema, poolSize: 1 })));
    try {
      return await Promise.all(requests.map((r, i) => answerInvitation(others[i]!.db, clock, { activityId: WORKSHOP, personId: ids[i]!, answer: r.answer })));
    } finally {
      await Promise.all(others.map((o) => o.close()));
    }
  }

  async function seats() {
    const now = clock.now();
    const rsvps = await db.db.selectFrom('rsvps').select(['person_id', 'answer']).where('activity_id', '=', WORKSHOP).execute();
    const offers = await db.db.selectFrom('invitations').select(['person_id', 'offer_expires_at']).where('activity_id', '=', WORKSHOP).where('offer_expires_at', '>', now).execute();
    const messages = await db.db.selectFrom('deliveries').select(['person_id', 'payload']).where('dedupe_key', 'like', `rsvp-offer:${WORKSHOP}:%`).where('state', '=', 'pending').execute();
    return { accepted: rsvps.filter((r) => r.answer === 'accepted').length, offers, messages };
  }

  it('a decline freeing the last seat while the head of the list and a newcomer accept: the seat is the head\'s, offered or taken, with one message', async () => {
    const [head, second] = await fullWithTwoWaiting(db.db, clock);
    clock.advance(60_000);
    const newcomer = everyone[26]!;
    await atOnce([
      { email: everyone[0]!, answer: 'declined' },
      { email: head, answer: 'accepted' },
      { email: newcomer, answer: 'accepted' },
    ]);
    const s = await seats();
    expect(s.accepted + s.offers.length).toBe(24);
    const headId = await personId(db.db, head);
    const headAnswer = (await db.db.selectFrom('rsvps').select('answer').where('activity_id', '=', WORKSHOP).where('person_id', '=', headId).executeTakeFirstOrThrow()).answer;
    if (headAnswer === 'accepted') expect(s.offers).toHaveLength(0);
    else expect(s.offers.map((o) => o.person_id)).toEqual([headId]);
    // One offer message, to the head, whether or not the head took the seat in the meantime.
    expect(s.messages.map((m) => m.person_id)).toEqual([headId]);
    const list = (await waitingList(db.db, WORKSHOP)).map((w) => w.person_id);
    expect(list.slice(-2)).toEqual([await personId(db.db, second), await personId(db.db, newcomer)]);
  });

  it('two declines at once: two seats, two offers, the two waiting', async () => {
    const [head, second] = await fullWithTwoWaiting(db.db, clock);
    clock.advance(60_000);
    await atOnce([
      { email: everyone[0]!, answer: 'declined' },
      { email: everyone[1]!, answer: 'maybe' },
    ]);
    const s = await seats();
    expect(s.accepted).toBe(22);
    const ids = [await personId(db.db, head), await personId(db.db, second)].sort();
    expect(s.offers.map((o) => o.person_id).sort()).toEqual(ids);
    expect(s.messages.map((m) => m.person_id).sort()).toEqual(ids);
  });

  it('the POST of a signed link to an activity that is gone: the bad-link page, as its GET, and nothing answered', async () => {
    const secret = 's'.repeat(40);
    const told: unknown[] = [];
    const server: Server = createHttpServer({
      routes: rsvpRoutes({ db: db.db, clock, appSecret: secret, onAnswered: (a) => told.push(a) }),
      mounts: [],
      metrics: createMetrics(),
      log: createLogger('silent'),
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const token = signLink(secret, { purpose: 'rsvp', subject: String(await personId(db.db, everyone[0]!)), expiresAt: new Date('2027-04-01T00:00:00Z'), activity: 'nie-ma-takich-warsztatow', answer: 'accepted' });
      const get = await fetch(`${base}/rsvp/${token}`);
      const post = await fetch(`${base}/rsvp/${token}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
      expect(post.status).toBe(get.status);
      expect(await post.text()).toBe(await get.text());
      expect(told).toEqual([]);
      expect(await db.db.selectFrom('rsvps').selectAll().execute()).toEqual([]);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
