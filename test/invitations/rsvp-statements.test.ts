import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { createMetrics } from '../../src/http/metrics.js';
import { rsvpRoutes } from '../../src/http/rsvp-routes.js';
import { createHttpServer } from '../../src/http/server.js';
import { planInvitations } from '../../src/invitations/plan-invitations.js';
import { answerInvitation, type Answer } from '../../src/invitations/rsvp.js';
import { createLogger } from '../../src/log.js';
import { signLink } from '../../src/security/signed-links.js';
import { importWithQuestions } from '../registration/support.js';
import { dialects } from '../support/databases.js';
import { faultyDatabase, type DatabaseFaults } from '../support/faults.js';
import { TRAINING, WORKSHOP, everyone, fullWithTwoWaiting, importFixture, personId } from './support.js';

const SECRET = 's'.repeat(40);

/**
 * Issue 17: in the national week's conference hours a third of the service's CPU went to
 * sending statements, most of them answers: an accept through its e-mail link cost 11
 * statements (the activity read twice, the invitation, a lapse of offers and a read of the
 * waiting list on every answer, the answer, the registration questions even for an activity
 * without any), a decline after it 13. Now: the person, begin, the activity's lock, one read of the rest, the answer,
 * commit; settling the seats and the questions only when they can change or show anything.
 */
describe.each(dialects)('statements of an answer on %s', (kind) => {
  let db: Db;
  let faults: DatabaseFaults;
  let server: Server;
  let base: string;
  const clock = new FixedClock('2027-02-01T09:00:00Z');

  beforeEach(async () => {
    clock.set('2027-02-01T09:00:00Z');
    ({ db, faults } = await faultyDatabase(kind));
    await importFixture(db.db, clock);
    server = createHttpServer({ routes: rsvpRoutes({ db: db.db, clock, appSecret: SECRET }), mounts: [], metrics: createMetrics(), log: createLogger('silent') });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    await db?.close();
  });

  /** The statements a flow sends (begin and commit included), and its result. */
  const statementsOf = async <T>(flow: () => Promise<T>): Promise<{ result: T; sql: string[] }> => {
    faults.clear();
    const result = await flow();
    return { result, sql: faults.queries.map((q) => q.sql) };
  };
  const link = async (email: string, activity: string, answer: Answer) => {
    const token = signLink(SECRET, { purpose: 'rsvp', subject: String(await personId(db.db, email)), expiresAt: new Date('2027-04-01T00:00:00Z'), activity, answer });
    return statementsOf(async () => {
      const response = await fetch(`${base}/rsvp/${token}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
      return { status: response.status, page: await response.text() };
    });
  };
  const stored = async (email: string, activity: string) =>
    (await db.db.selectFrom('rsvps').select('answer').where('activity_id', '=', activity).where('person_id', '=', await personId(db.db, email)).executeTakeFirst())?.answer;
  const activityReads = (sql: string[]) => sql.filter((s) => /from "activities"/.test(s));

  it('should accept and decline through the e-mail link in six statements at an activity without a limit or questions', async () => {
    await planInvitations(db.db, clock);
    const accepted = await link('lodz1@example.org', TRAINING, 'accepted');
    expect(accepted.result.status).toBe(200);
    expect(await stored('lodz1@example.org', TRAINING)).toBe('accepted');
    // The person, begin, the activity's lock, the rest, the answer, commit (11 before).
    expect(accepted.sql).toHaveLength(6);
    expect(activityReads(accepted.sql)).toHaveLength(1);
    expect(accepted.sql.filter((s) => /activity_questions|update "invitations"/.test(s) && !/^\s*with seats/.test(s))).toEqual([]);

    clock.advance(60_000);
    const declined = await link('lodz1@example.org', TRAINING, 'declined');
    expect(declined.result.status).toBe(200);
    expect(await stored('lodz1@example.org', TRAINING)).toBe('declined');
    // Settled again only where a seat can go to someone; no registration answers to forget without questions (13 before).
    expect(declined.sql).toHaveLength(6);

    // The same answer again changes nothing: no write at all (9 before, one of them the lapse of offers).
    const again = await link('lodz1@example.org', TRAINING, 'declined');
    expect(again.result.status).toBe(200);
    expect(again.sql).toHaveLength(5);
    expect(again.sql.filter((s) => /^\s*(insert|update|delete)/i.test(s))).toEqual([]);
  });

  it('should give a link to an activity that is gone the same bad-link page, reading the activity once', async () => {
    await planInvitations(db.db, clock);
    const { result, sql } = await link('lodz1@example.org', 'no-such-activity', 'accepted');
    expect(result.status).toBe(404);
    expect(result.page).toContain('Link nie działa');
    expect(activityReads(sql)).toHaveLength(1);
  });

  it('should put an accept at a full workshop on the waiting list in six statements, seats counted in the one read', async () => {
    await fullWithTwoWaiting(db.db, clock);
    clock.advance(60_000);
    const id = await personId(db.db, everyone[26]!);
    const { result, sql } = await statementsOf(() => answerInvitation(db.db, clock, { activityId: WORKSHOP, personId: id, answer: 'accepted' }));
    expect(result).toMatchObject({ ok: true, status: 'waiting', place: 3, unchanged: false, hasQuestions: false });
    // begin, lock, the rest (seats taken included), the answer, the list for the place, commit (10 before).
    expect(sql).toHaveLength(6);
    // Answering again keeps the place, and writes nothing (9 before).
    const again = await statementsOf(() => answerInvitation(db.db, clock, { activityId: WORKSHOP, personId: id, answer: 'accepted' }));
    expect(again.result).toMatchObject({ ok: true, status: 'waiting', place: 3, unchanged: true });
    expect(again.sql).toHaveLength(5);
  });

  it('should settle the seats when a seat is freed, and offer it to the head of the list as before', async () => {
    const [first] = await fullWithTwoWaiting(db.db, clock);
    clock.advance(60_000);
    const seated = await personId(db.db, everyone[0]!);
    const { result, sql } = await statementsOf(() => answerInvitation(db.db, clock, { activityId: WORKSHOP, personId: seated, answer: 'declined' }));
    expect(result).toMatchObject({ ok: true, status: 'declined', unchanged: false });
    expect(sql.some((s) => /update "invitations" set "offer_expires_at"/.test(s))).toBe(true);
    const offer = await db.db.selectFrom('invitations').select('offer_expires_at').where('activity_id', '=', WORKSHOP).where('person_id', '=', await personId(db.db, first)).executeTakeFirstOrThrow();
    expect(offer.offer_expires_at).not.toBeNull();
    // The offer taken: accepted at once, the seat being theirs.
    clock.advance(60_000);
    expect(await answerInvitation(db.db, clock, { activityId: WORKSHOP, personId: await personId(db.db, first), answer: 'accepted' })).toMatchObject({ ok: true, status: 'accepted' });
  });

  it('should still ask the registration questions after an accept through the link, where there are some', async () => {
    await importWithQuestions(db.db, clock);
    await planInvitations(db.db, clock);
    const { result, sql } = await link('lodz2@example.org', WORKSHOP, 'accepted');
    expect(result.status).toBe(200);
    expect(result.page).toContain('/registration');
    expect(sql.some((s) => /from "activity_questions"/.test(s))).toBe(true);
  });
});
