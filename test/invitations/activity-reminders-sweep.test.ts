import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { planActivityReminders } from '../../src/invitations/plan-activity-reminders.js';
import { planInvitations } from '../../src/invitations/plan-invitations.js';
import { answerInvitation } from '../../src/invitations/rsvp.js';
import { dialects, demoDatabase } from '../support/databases.js';

// The keys each call of enqueue is offered: what the sweep costs, which its result (rows added) does not show.
const offered = vi.hoisted(() => [] as string[]);
vi.mock('../../src/delivery/outbox.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/delivery/outbox.js')>();
  return { ...actual, enqueue: (async (db, rows) => (offered.push(...rows.map((r) => r.key)), actual.enqueue(db, rows))) as typeof actual.enqueue };
});

const ACTIVITY = 'szkolenie-niebieska-karta-2027-01'; // 20 January 2027 09:00 Warsaw, answers by the 13th

/**
 * The 15-minute sweep re-offered every accepted person's and every silent invitee's keys each
 * time (about 12,000 after the national week's conferences): only what is not in the outbox yet
 * may be offered, and an offset whose time has passed does not keep a person in the query.
 */
/** The demo with its invitations planned, for one describe block; `sweep` returns the keys the whole sweep offered. */
function invitedDemo(kind: (typeof dialects)[number]) {
  const world = { db: undefined as unknown as Db, clock: new FixedClock('2026-12-20T12:00:00Z') };
  beforeAll(async () => {
    world.db = await demoDatabase(kind, world.clock);
    await planInvitations(world.db.db, world.clock);
  }, 120_000);
  afterAll(async () => world.db?.close());
  const sweep = async () => {
    offered.length = 0;
    await planActivityReminders(world.db.db, world.clock);
    return [...offered].sort();
  };
  return { world, sweep };
}

describe.each(dialects)('the activity-reminder sweep offers only new keys on %s', (kind) => {
  const { world, sweep } = invitedDemo(kind);
  const clock = world.clock;
  let db: Db;
  beforeAll(() => void (db = world.db));
  const id = async (email: string) => (await db.db.selectFrom('people').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;

  it('should offer a key once, and again only for what changed since', async () => {
    const anna = await id('anna.nowak@example.org');
    await answerInvitation(db.db, clock, { activityId: ACTIVITY, personId: anna, answer: 'accepted' });
    const first = await sweep();
    expect(first.filter((k) => k.startsWith(`activity-reminder:${ACTIVITY}:${anna}:`))).toHaveLength(2);
    expect(first.filter((k) => k.startsWith('rsvp-deadline:')).length).toBeGreaterThan(1);
    expect(await sweep()).toEqual([]);

    const marta = await id('marta.grabowska@example.org');
    await answerInvitation(db.db, clock, { activityId: ACTIVITY, personId: marta, answer: 'accepted' });
    expect(await sweep()).toEqual([`activity-reminder:${ACTIVITY}:${marta}:P1D:2027-01-20T08:00:00.000Z`, `activity-reminder:${ACTIVITY}:${marta}:P7D:2027-01-20T08:00:00.000Z`]);

    // Seven days before, after 09:00: the seven-day reminder of someone accepting now is past and never written;
    // the one-day reminder is offered once, and the person is not read again for the past one.
    clock.set('2027-01-13T12:00:00Z');
    const invited = await db.db.selectFrom('invitations').select('person_id').where('activity_id', '=', ACTIVITY).where('person_id', 'not in', [anna, marta]).orderBy('person_id').executeTakeFirstOrThrow();
    const late = invited.person_id;
    expect(await answerInvitation(db.db, clock, { activityId: ACTIVITY, personId: late, answer: 'accepted' })).toMatchObject({ ok: true });
    expect(await sweep()).toEqual([`activity-reminder:${ACTIVITY}:${late}:P1D:2027-01-20T08:00:00.000Z`]);
    expect(await sweep()).toEqual([]);
    const rows = await db.db.selectFrom('deliveries').select('dedupe_key').where('dedupe_key', 'like', `activity-reminder:${ACTIVITY}:%`).execute();
    expect(rows).toHaveLength(5);
  });
});

/** After one answer (DeliveryService.answered) only that pair is planned: a whole planning per answer kept PostgreSQL busy in the national week. */
describe.each(dialects)('planning after one answer on %s', (kind) => {
  const { world, sweep } = invitedDemo(kind);
  const clock = world.clock;
  let db: Db;
  beforeAll(() => void (db = world.db));

  it('should plan after one answer that person\'s reminders of that activity and nothing else', async () => {
    const [one, other] = (await db.db.selectFrom('invitations').select('person_id').where('activity_id', '=', ACTIVITY).orderBy('person_id', 'desc').limit(2).execute()).map((r) => r.person_id);
    await answerInvitation(db.db, clock, { activityId: ACTIVITY, personId: one!, answer: 'accepted' });
    await answerInvitation(db.db, clock, { activityId: ACTIVITY, personId: other!, answer: 'accepted' });
    offered.length = 0;
    await planActivityReminders(db.db, clock, { activityId: ACTIVITY, personId: one! });
    // Neither the other accepted person nor any silent invitee's deadline reminder: the sweep plans those.
    expect([...offered].sort()).toEqual([`activity-reminder:${ACTIVITY}:${one}:P1D:2027-01-20T08:00:00.000Z`, `activity-reminder:${ACTIVITY}:${one}:P7D:2027-01-20T08:00:00.000Z`]);
    expect((await sweep()).filter((k) => k.startsWith('activity-reminder:'))).toEqual([`activity-reminder:${ACTIVITY}:${other}:P1D:2027-01-20T08:00:00.000Z`, `activity-reminder:${ACTIVITY}:${other}:P7D:2027-01-20T08:00:00.000Z`]);
    // A declined person's pair plans nothing.
    await answerInvitation(db.db, clock, { activityId: ACTIVITY, personId: one!, answer: 'declined' });
    const third = (await db.db.selectFrom('invitations').select('person_id').where('activity_id', '=', ACTIVITY).orderBy('person_id', 'desc').offset(2).limit(1).executeTakeFirstOrThrow()).person_id;
    await answerInvitation(db.db, clock, { activityId: ACTIVITY, personId: third, answer: 'declined' });
    offered.length = 0;
    await planActivityReminders(db.db, clock, { activityId: ACTIVITY, personId: third });
    expect(offered).toEqual([]);
  });
});
