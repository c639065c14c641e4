import { Registry } from 'prom-client';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { DeliveryService } from '../../src/delivery/delivery-service.js';
import { readPlanningMark } from '../../src/invitations/invitation-inputs.js';
import type { InvitationDeps } from '../../src/invitations/invitation-message.js';
import { planActivityReminders } from '../../src/invitations/plan-activity-reminders.js';
import { planInvitations } from '../../src/invitations/plan-invitations.js';
import { answerInvitation } from '../../src/invitations/rsvp.js';
import { createLogger } from '../../src/log.js';
import { changePreferences } from '../../src/preferences/change-preferences.js';
import { loadPreferences } from '../../src/preferences/preferences.js';
import { dialects, demoDatabase } from '../support/databases.js';

// How often the sweep looked for people to invite (planInvitations), counted, not replaced.
const looks = vi.hoisted(() => ({ n: 0 }));
vi.mock('../../src/invitations/plan-invitations.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/invitations/plan-invitations.js')>();
  return { ...actual, planInvitations: (async (db, clock) => (looks.n++, actual.planInvitations(db, clock))) as typeof actual.planInvitations };
});

const ACTIVITY = 'szkolenie-niebieska-karta-2027-01'; // 20 January 2027 09:00 Warsaw (08:00Z), answers by the 13th
const reminderKeys = (personId: number) => [`activity-reminder:${ACTIVITY}:${personId}:P1D:2027-01-20T08:00:00.000Z`, `activity-reminder:${ACTIVITY}:${personId}:P7D:2027-01-20T08:00:00.000Z`];

/**
 * The 15-minute sweep looks again for people to invite, updates and deadline reminders only when
 * something they are planned from changed since its last complete run (migration 0037's
 * version), and for activity reminders only at answers written since (by their transaction).
 */
describe.each(dialects)('the sweep plans only what changed, on %s', (kind) => {
  let db: Db;
  const clock = new FixedClock('2026-12-20T12:00:00Z');
  beforeAll(async () => {
    db = await demoDatabase(kind, clock);
  }, 120_000);
  afterAll(async () => db?.close());
  afterEach(() => void vi.useRealTimers());
  const id = async (email: string) => (await db.db.selectFrom('people').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;
  const keys = async (personId: number) =>
    (await db.db.selectFrom('deliveries').select('dedupe_key').where('person_id', '=', personId).where('dedupe_key', 'like', 'activity-reminder:%').orderBy('dedupe_key').execute()).map((r) => r.dedupe_key);
  const version = async () => (await readPlanningMark(db.db)).version;

  it('should raise the version for what invitations are planned from, and not for answers', async () => {
    const before = await version();
    await planInvitations(db.db, clock);
    const invited = await version();
    expect(invited, 'invitations added').toBeGreaterThan(before);
    await answerInvitation(db.db, clock, { activityId: ACTIVITY, personId: await id('anna.nowak@example.org'), answer: 'accepted' });
    await answerInvitation(db.db, clock, { activityId: ACTIVITY, personId: await id('anna.nowak@example.org'), answer: 'declined' });
    expect(await version(), 'answers given and changed').toBe(invited);
    const anna = await id('anna.nowak@example.org');
    const current = await loadPreferences(db.db, anna);
    await changePreferences(db.db, anna, current, { ...current, quiet: { from: 21, to: 6 } }, clock);
    const preferred = await version();
    expect(preferred, 'quiet hours changed').toBeGreaterThan(invited);
    await db.db.updateTable('activities').set({ title: 'Szkolenie: Niebieska Karta (nowy tytuł)' }).where('id', '=', ACTIVITY).execute();
    expect(await version(), 'an activity changed').toBeGreaterThan(preferred);
    const changed = await version();
    await db.db.updateTable('activities').set({ title: 'Szkolenie: Niebieska Karta (nowy tytuł)' }).where('id', '=', ACTIVITY).execute();
    expect(await version(), 'an update that changes nothing').toBe(changed);
    await db.db.deleteFrom('rsvps').where('activity_id', '=', ACTIVITY).where('person_id', '=', await id('anna.nowak@example.org')).execute();
    expect(await version(), 'an answer removed').toBeGreaterThan(changed);
  });

  it('should plan reminders for answers written since a mark, and not for those before it', async () => {
    await planInvitations(db.db, clock);
    const before = await id('marta.grabowska@example.org');
    await answerInvitation(db.db, clock, { activityId: ACTIVITY, personId: before, answer: 'accepted' });
    const mark = await readPlanningMark(db.db);
    const after = await id('katarzyna.wisniewska@example.org');
    await answerInvitation(db.db, clock, { activityId: ACTIVITY, personId: after, answer: 'accepted' });
    await planActivityReminders(db.db, clock, { answeredSince: mark.xmin });
    expect(await keys(after)).toEqual(reminderKeys(after));
    // On PostgreSQL the mark's xmin is the oldest transaction running anywhere in the cluster (another
    // test worker's): an answer before the mark then counts as since, which is only conservative.
    const { rows } = await sql<{ older: boolean }>`select age(xmin) > age(${mark.xmin}::xid) as older from rsvps where activity_id = ${ACTIVITY} and person_id = ${before}`.execute(db.db);
    if (rows[0]!.older) expect(await keys(before), 'an answer before the mark is the earlier planning\'s').toEqual([]);
    await planActivityReminders(db.db, clock);
    expect(await keys(before)).toEqual(reminderKeys(before));
  });

  it.runIf(kind === 'postgres')('should count an answer whose transaction was open when the mark was read, committed after it', async () => {
    await planInvitations(db.db, clock);
    const late = await id('malgorzata.wojcik@example.org');
    let mark: Awaited<ReturnType<typeof readPlanningMark>> | undefined;
    await db.db.transaction().execute(async (trx) => {
      await trx.insertInto('rsvps').values({ activity_id: ACTIVITY, person_id: late, answer: 'accepted', answered_at: clock.now() }).execute();
      // Another connection: the sweep reads its mark while this answer is written but not committed.
      mark = await readPlanningMark(db.db);
    });
    await planActivityReminders(db.db, clock, { answeredSince: mark!.xmin });
    expect(await keys(late)).toEqual(reminderKeys(late));
  });

  it('should, every 15 minutes, skip the look for people to invite while nothing changed, and still plan answers whose own planning never ran', async () => {
    vi.useFakeTimers({ toFake: ['setInterval'] });
    const invitations = { appSecret: 'x'.repeat(32), organizer: { name: 'RCPS', email: 'rcps@example.org' } } as unknown as InvitationDeps;
    const service = new DeliveryService({ db: db.db, clock, log: createLogger('silent'), senders: new Map(), publicUrl: 'https://koop.example.org', registry: new Registry(), workerId: 'sweep', invitations });
    vi.spyOn(service.loop, 'poke').mockImplementation(() => undefined);
    const sweep = async () => {
      const done = looks.n;
      clock.advance(15 * 60_000);
      vi.advanceTimersByTime(15 * 60_000);
      // The sweep's last step is processScheduleChanges then poke; wait for the sweep to be idle.
      await vi.waitFor(() => expect((service as unknown as { sweepRun: { busy: boolean } }).sweepRun.busy).toBe(false), { timeout: 5000, interval: 20 });
      return looks.n - done;
    };
    await service.start();
    try {
      // Whatever start-up planned raised the version: one more full look, then none while nothing changes.
      await sweep();
      expect(await sweep()).toBe(0);
      expect(await sweep()).toBe(0);

      // An answer given on another replica that stopped before planning it (answered() never ran here).
      const elsewhere = await id('tomasz.zielinski@example.org');
      await answerInvitation(db.db, clock, { activityId: ACTIVITY, personId: elsewhere, answer: 'accepted' });
      expect(await sweep()).toBe(0);
      expect(await keys(elsewhere)).toEqual(reminderKeys(elsewhere));

      // A new member of a team in the audience: the next sweep looks, and invites them.
      const team = (await db.db.selectFrom('memberships').select('team_id').where('person_id', '=', elsewhere).executeTakeFirstOrThrow()).team_id;
      const newcomer = await db.db.insertInto('people').values({ email: 'nowa.osoba@example.org', name: 'Nowa Osoba', institution: null, language: 'pl', channels: JSON.stringify(['email']), staff_role: null, source: 'test', removed_at: null }).returning('id').executeTakeFirstOrThrow();
      await db.db.insertInto('memberships').values({ team_id: team, person_id: newcomer.id, role: 'member', removed_at: null }).execute();
      expect(await sweep()).toBe(1);
      expect(await db.db.selectFrom('invitations').select('activity_id').where('person_id', '=', newcomer.id).execute()).not.toEqual([]);
    } finally {
      await service.stop();
    }
  });
});
