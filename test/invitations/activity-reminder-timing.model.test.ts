import fc from 'fast-check';
import { sql } from 'kysely';
import { DateTime, Duration } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { ACTIVITY_REMINDERS, planActivityReminders } from '../../src/invitations/plan-activity-reminders.js';
import { planInvitations } from '../../src/invitations/plan-invitations.js';
import { answerInvitation } from '../../src/invitations/rsvp.js';
import { changePreferences } from '../../src/preferences/change-preferences.js';
import { loadPreferences } from '../../src/preferences/preferences.js';
import { DEFAULT_QUIET_HOURS, personalReminderTiming, type QuietHours } from '../../src/reminders/quiet-hours.js';
import { dialects, freshDatabase } from '../support/databases.js';
import { checkModel, modelRuns } from '../support/model-runs.js';
import { importYaml } from '../support/schedule-builder.js';

/**
 * The reminders of an activity are timed as a meeting's (personalReminderTiming): due outside the
 * person's quiet hours in their own zone (their team's), earliest_at by the same hours, the day
 * counted in the activity's zone, which may be another. Planned by planActivityReminders (a time
 * meant already past only while quiet hours still hold it to a time to come), timed
 * again by a change of quiet hours (changePreferences: retimeInvitations) from now when the time
 * meant has passed, a row already due and still due left as it is. Random activity times (around
 * the clock changes of Europe/Warsaw and America/New_York, and any day), zones, clocks and quiet
 * hours, through the real entry points. MODEL_SEED and MODEL_RUNS repeat a run.
 */

const ZONES = ['Europe/Warsaw', 'America/New_York'] as const;
const CHANGE_DAYS = ['2027-03-28', '2027-03-29', '2027-04-04', '2027-10-31', '2027-11-01', '2027-11-07', '2027-03-14', '2027-03-15', '2027-03-21', '2027-11-08'];

interface Run {
  teamZone: (typeof ZONES)[number];
  activityZone: (typeof ZONES)[number];
  date: string;
  hour: number;
  minute: number;
  quiet: QuietHours | null;
  after: QuietHours;
  before: number;
  later: number;
}

const hours = fc.oneof(
  fc.record({ from: fc.integer({ min: 0, max: 23 }), to: fc.integer({ min: 0, max: 23 }) }),
  fc.record({ from: fc.integer({ min: 18, max: 23 }), to: fc.integer({ min: 5, max: 10 }) }),
);
const anyDay = fc.integer({ min: 0, max: 364 }).map((d) => DateTime.fromISO('2027-01-01', { zone: 'UTC' }).plus({ days: d }).toISODate()!);

const run: fc.Arbitrary<Run> = fc.record({
  teamZone: fc.constantFrom(...ZONES),
  activityZone: fc.constantFrom(...ZONES),
  date: fc.oneof(fc.constantFrom(...CHANGE_DAYS), anyDay),
  hour: fc.integer({ min: 0, max: 21 }).map((h) => (h >= 1 ? h + 2 : h)),
  minute: fc.constantFrom(0, 15, 30, 45, 7),
  quiet: fc.option(hours, { nil: null, freq: 4 }),
  after: hours,
  before: fc.oneof(fc.integer({ min: 1, max: 9 * 24 * 60 }), fc.integer({ min: 1, max: 36 * 60 })),
  later: fc.integer({ min: 0, max: 999 }),
});

const RUNS = modelRuns(40);
const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : 'null');

function schedule(n: number, r: Run): string {
  const time = `${String(r.hour).padStart(2, '0')}:${String(r.minute).padStart(2, '0')}`;
  return `
teams:
  - id: t${n}
    name: PZK t${n}
    area: gmina
    timezone: ${r.teamZone}
    meetings:
      rrule: FREQ=DAILY;COUNT=1
      starts: 2027-01-05T10:00
      duration: PT2H
      location: Sala 1
    members:
      - { name: Anna Członek, email: anna@example.org, institution: PZK Łódź }
activities:
  - id: a${n}
    kind: workshop
    title: Warsztaty ${n}
    starts: ${r.date}T${time}
    ends: ${DateTime.fromISO(`${r.date}T${time}`, { zone: 'UTC' }).plus({ hours: 2 }).toFormat("yyyy-MM-dd'T'HH:mm")}
    timezone: ${r.activityZone}
    audience: [t${n}]
`;
}

describe.each(dialects)('the reminders of activities timed as personalReminderTiming, on %s', (kind) => {
  let db: Db;
  beforeAll(async () => (db = await freshDatabase(kind)));
  afterAll(async () => db?.close());
  let n = 0;

  async function check(r: Run): Promise<void> {
    n++;
    await sql`delete from deliveries`.execute(db.db);
    await sql`delete from preferences`.execute(db.db);
    await sql`delete from rsvps`.execute(db.db);
    const start = DateTime.fromISO(`${r.date}T${String(r.hour).padStart(2, '0')}:${String(r.minute).padStart(2, '0')}`, { zone: r.activityZone }).toJSDate();
    const c0 = new Date(start.getTime() - r.before * 60_000);
    const c1 = new Date(c0.getTime() + Math.floor((r.later * r.before) / 1000) * 60_000);
    const clock = new FixedClock(c0);
    await importYaml(db.db, clock, { 't.yaml': schedule(n, r) });
    const anna = (await db.db.selectFrom('people').select('id').where('email', '=', 'anna@example.org').executeTakeFirstOrThrow()).id;
    // Her zone is her team's: the one of this run only (the import removed the others).
    expect((await db.db.selectFrom('memberships').select('team_id').where('person_id', '=', anna).where('removed_at', 'is', null).execute()).map((m) => m.team_id)).toEqual([`t${n}`]);
    let quiet = r.quiet;
    if (quiet) await db.db.insertInto('preferences').values({ person_id: anna, quiet_from: quiet.from, quiet_to: quiet.to, muted_kinds: '[]', muted_channels: '[]' }).execute();
    await planInvitations(db.db, clock);
    expect(await answerInvitation(db.db, clock, { activityId: `a${n}`, personId: anna, answer: 'accepted' })).toMatchObject({ ok: true });

    const model = new Map<string, { due: Date; earliest: Date }>();
    const meantOf = (offset: string) => DateTime.fromJSDate(start, { zone: r.activityZone }).minus(Duration.fromISO(offset)).toJSDate();
    const timing = (offset: string, now: Date) => {
      const meant = meantOf(offset);
      const { dueAt, earliestAt } = personalReminderTiming(meant < now ? now : meant, start, r.teamZone, quiet ?? DEFAULT_QUIET_HOURS, r.activityZone);
      return { due: dueAt, earliest: earliestAt };
    };
    const expectRows = async (step: string) => {
      const rows = await sql<{ offset: string; due_at: Date; earliest_at: Date | null }>`
        select d.payload->>'offset' as offset, d.due_at, d.earliest_at from deliveries d
        where d.person_id = ${anna} and d.state = 'pending' and d.payload->>'type' = 'activity_reminder' and d.payload->>'activityId' = ${`a${n}`}`.execute(db.db);
      const written = Object.fromEntries(rows.rows.map((w) => [w.offset, `${iso(w.due_at)} ${iso(w.earliest_at)}`]));
      const wanted = Object.fromEntries([...model].map(([offset, t]) => [offset, `${iso(t.due)} ${iso(t.earliest)}`]));
      expect(written, `${step}: start ${iso(start)} (${r.activityZone}, the person in ${r.teamZone}), now ${iso(clock.now())}, quiet ${JSON.stringify(quiet)}`).toEqual(wanted);
    };

    await planActivityReminders(db.db, clock);
    // What is not yet meant, or meant already but held by quiet hours to a time to come (as a meeting's).
    for (const offset of ACTIVITY_REMINDERS) {
      const meant = meantOf(offset);
      const past = meant < c0 && personalReminderTiming(meant, start, r.teamZone, quiet ?? DEFAULT_QUIET_HOURS, r.activityZone).dueAt < c0;
      if (!past) model.set(offset, timing(offset, c0));
    }
    await expectRows('planActivityReminders');

    clock.set(c1.toISOString());
    const current = await loadPreferences(db.db, anna);
    await changePreferences(db.db, anna, current, { ...current, quiet: r.after }, clock);
    const changed = current.quiet.from !== r.after.from || current.quiet.to !== r.after.to;
    quiet = r.after;
    if (changed) {
      for (const [offset, old] of model) {
        const again = timing(offset, c1);
        if (old.due > c1 || again.due > c1) model.set(offset, again);
      }
    }
    await expectRows('a change of quiet hours (retimeInvitations)');
  }

  it('planned, and timed again after a change of quiet hours', async () => {
    await checkModel(`activity reminder timing on ${kind}`, run, check, RUNS);
  }, 240_000);
});
