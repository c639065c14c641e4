import { Registry } from 'prom-client';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { DeliveryService } from '../../src/delivery/delivery-service.js';
import type { InvitationDeps } from '../../src/invitations/invitation-message.js';
import { answerInvitation } from '../../src/invitations/rsvp.js';
import { createLogger } from '../../src/log.js';
import { dialects, demoDatabase } from '../support/databases.js';

// Hostile review of f717548 (the 15-minute sweep plans only what changed since its last complete run).
// Each probe: a complete planning, a change made by some path, then the sweep ('changed'); what the
// full planning would have planned must be there.

const fail = vi.hoisted(() => ({ offers: 0 }));
vi.mock('../../src/invitations/rsvp.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/invitations/rsvp.js')>();
  return {
    ...actual,
    sweepOffers: (async (db, clock) => {
      if (fail.offers > 0) {
        fail.offers--;
        throw new Error('Connection terminated unexpectedly');
      }
      return actual.sweepOffers(db, clock);
    }) as typeof actual.sweepOffers,
  };
});

const ACTIVITY = 'szkolenie-niebieska-karta-2027-01'; // 20 January 2027 09:00 Warsaw (08:00Z), answers by the 13th
const COACHING = 'coaching-2027-02'; // audience [lodz]
const reminderKeys = (personId: number) => [`activity-reminder:${ACTIVITY}:${personId}:P1D:2027-01-20T08:00:00.000Z`, `activity-reminder:${ACTIVITY}:${personId}:P7D:2027-01-20T08:00:00.000Z`];

describe.each(dialects)('hostile: the changed-only sweep, on %s', (kind) => {
  let db: Db;
  let clock: FixedClock;
  let service: DeliveryService;
  beforeEach(async () => {
    clock = new FixedClock('2026-12-20T12:00:00Z');
    db = await demoDatabase(kind, clock);
    const invitations = { appSecret: 'x'.repeat(32), organizer: { name: 'RCPS', email: 'rcps@example.org' } } as unknown as InvitationDeps;
    service = new DeliveryService({ db: db.db, clock, log: createLogger('silent'), senders: new Map(), publicUrl: 'https://koop.example.org', registry: new Registry(), workerId: 'hostile', invitations });
    // A complete planning (as start-up's), then one sweep to take the version its own invitations raised.
    await full();
    await sweep();
  }, 120_000);
  afterEach(async () => {
    fail.offers = 0;
    await db?.close();
  });

  const run = (scope: 'all' | 'changed') => service.planInvitations(scope);
  const full = () => run('all');
  const sweep = () => run('changed');
  const id = async (email: string) => (await db.db.selectFrom('people').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;
  const keys = async (personId: number, like = 'activity-reminder:%') =>
    (await db.db.selectFrom('deliveries').select('dedupe_key').where('person_id', '=', personId).where('dedupe_key', 'like', like).orderBy('dedupe_key').execute()).map((r) => r.dedupe_key);
  const invited = async (activity: string, personId: number) =>
    (await db.db.selectFrom('invitations').select('person_id').where('activity_id', '=', activity).where('person_id', '=', personId).execute()).length > 0;

  it('plans reminders for an answer turned to accepted by a plain UPDATE (no answerInvitation, no answered())', async () => {
    const anna = await id('anna.nowak@example.org');
    await answerInvitation(db.db, clock, { activityId: ACTIVITY, personId: anna, answer: 'declined' });
    await sweep();
    await db.db.updateTable('rsvps').set({ answer: 'accepted' }).where('activity_id', '=', ACTIVITY).where('person_id', '=', anna).execute();
    await sweep();
    expect(await keys(anna)).toEqual(reminderKeys(anna));
  });

  it('invites a member whose membership comes back (removed_at cleared)', async () => {
    const anna = await id('anna.nowak@example.org');
    const team = (await db.db.selectFrom('memberships').select('team_id').where('person_id', '=', anna).executeTakeFirstOrThrow()).team_id;
    const p = await db.db.insertInto('people').values({ email: 'wraca@example.org', name: 'Wraca', institution: null, language: 'pl', channels: JSON.stringify(['email']), staff_role: null, source: 'test', removed_at: null }).returning('id').executeTakeFirstOrThrow();
    await db.db.insertInto('memberships').values({ team_id: team, person_id: p.id, role: 'member', removed_at: clock.now() }).execute();
    await full();
    await sweep();
    expect(await invited(ACTIVITY, p.id)).toBe(false);
    await db.db.updateTable('memberships').set({ removed_at: null }).where('person_id', '=', p.id).execute();
    await sweep();
    expect(await invited(ACTIVITY, p.id)).toBe(true);
  });

  it('invites a team added to an audience, and re-invites after an invitation row is removed', async () => {
    const lowiczMember = (await db.db.selectFrom('memberships').select('person_id').where('team_id', '=', 'lowicz').where('removed_at', 'is', null).executeTakeFirstOrThrow()).person_id;
    const inLodz = (await db.db.selectFrom('memberships').select('person_id').where('team_id', '=', 'lodz').where('person_id', '=', lowiczMember).execute()).length > 0;
    if (!inLodz) {
      expect(await invited(COACHING, lowiczMember)).toBe(false);
      await db.db.insertInto('activity_audience').values({ activity_id: COACHING, team_id: 'lowicz' }).execute();
      await sweep();
      expect(await invited(COACHING, lowiczMember)).toBe(true);
    }
    const anna = await id('anna.nowak@example.org');
    await db.db.deleteFrom('invitations').where('activity_id', '=', ACTIVITY).where('person_id', '=', anna).execute();
    await sweep();
    expect(await invited(ACTIVITY, anna)).toBe(true);
  });

  it('after a failed sweep (offers step throws), the next sweep still plans an answer written before it', async () => {
    const anna = await id('anna.nowak@example.org');
    await answerInvitation(db.db, clock, { activityId: ACTIVITY, personId: anna, answer: 'accepted' });
    fail.offers = 1;
    await expect(sweep()).rejects.toThrow();
    await sweep();
    expect(await keys(anna)).toEqual(reminderKeys(anna));
  });

  it('plans the deadline reminder of someone whose answer is removed', async () => {
    const anna = await id('anna.nowak@example.org');
    await answerInvitation(db.db, clock, { activityId: ACTIVITY, personId: anna, answer: 'accepted' });
    await sweep();
    await db.db.deleteFrom('deliveries').where('dedupe_key', '=', `rsvp-deadline:${ACTIVITY}:${anna}:2027-01-13`).execute();
    await db.db.deleteFrom('rsvps').where('activity_id', '=', ACTIVITY).where('person_id', '=', anna).execute();
    await sweep();
    expect(await keys(anna, `rsvp-deadline:${ACTIVITY}:%`)).toEqual([`rsvp-deadline:${ACTIVITY}:${anna}:2027-01-13`]);
  });

  it('plans a full look when a cancelled activity is opened again', async () => {
    await db.db.updateTable('activities').set({ cancelled_at: clock.now() }).where('id', '=', COACHING).execute();
    await db.db.deleteFrom('invitations').where('activity_id', '=', COACHING).execute();
    await sweep();
    await sweep();
    await db.db.updateTable('activities').set({ cancelled_at: null }).where('id', '=', COACHING).execute();
    await sweep();
    const lodz = (await db.db.selectFrom('memberships').select('person_id').where('team_id', '=', 'lodz').where('removed_at', 'is', null).executeTakeFirstOrThrow()).person_id;
    expect(await invited(COACHING, lodz)).toBe(true);
  });

  it('plans answers given while a full planning and a sweep run side by side, and on a second replica', async () => {
    const [a, b, c] = (await db.db.selectFrom('invitations').select('person_id').where('activity_id', '=', ACTIVITY).orderBy('person_id').limit(3).execute()).map((r) => r.person_id);
    const invitations = { appSecret: 'x'.repeat(32), organizer: { name: 'RCPS', email: 'rcps@example.org' } } as unknown as InvitationDeps;
    const other = new DeliveryService({ db: db.db, clock, log: createLogger('silent'), senders: new Map(), publicUrl: 'https://koop.example.org', registry: new Registry(), workerId: 'other', invitations });
    const otherRun = (scope: 'all' | 'changed') => other.planInvitations(scope);
    await otherRun('all');
    await answerInvitation(db.db, clock, { activityId: ACTIVITY, personId: a!, answer: 'accepted' });
    await Promise.all([
      full(),
      sweep(),
      otherRun('changed'),
      answerInvitation(db.db, clock, { activityId: ACTIVITY, personId: b!, answer: 'accepted' }).then(() => sweep()),
      answerInvitation(db.db, clock, { activityId: ACTIVITY, personId: c!, answer: 'accepted' }),
    ]);
    await sweep();
    await otherRun('changed');
    for (const p of [a!, b!, c!]) expect(await keys(p)).toEqual(reminderKeys(p));
  });

  it.runIf(kind === 'postgres')('plans an answer whose transaction took its xid before one mark and committed after the next', async () => {
    const anna = await id('anna.nowak@example.org');
    let release!: () => void;
    const hold = new Promise<void>((r) => (release = r));
    let written!: () => void;
    const wrote = new Promise<void>((r) => (written = r));
    const answer = db.db.transaction().execute(async (trx) => {
      // The xid is taken now, before both marks below.
      await sql`select pg_current_xact_id()`.execute(trx);
      await hold;
      await trx.insertInto('rsvps').values({ activity_id: ACTIVITY, person_id: anna, answer: 'accepted', answered_at: clock.now() }).execute();
      written();
    });
    await sweep();
    await sweep();
    release();
    await wrote;
    await answer;
    await sweep();
    await sweep();
    expect(await keys(anna)).toEqual(reminderKeys(anna));
  });
});
