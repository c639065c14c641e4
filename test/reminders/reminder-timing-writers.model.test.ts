import fc from 'fast-check';
import { sql } from 'kysely';
import { DateTime, Duration } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { answerMeeting } from '../../src/participation/meeting-answers.js';
import { planReminders, replanPerson, replanTeam } from '../../src/reminders/plan-reminders.js';
import { DEFAULT_QUIET_HOURS, personalReminderTiming, type QuietHours } from '../../src/reminders/quiet-hours.js';
import { dialects, freshDatabase } from '../support/databases.js';
import { checkModel, modelRuns } from '../support/model-runs.js';
import { importYaml } from '../support/schedule-builder.js';

/**
 * Every writer of a meeting reminder's row times it as personalReminderTiming does (due time
 * outside the person's quiet hours, earliest_at by the same hours), whichever writes it: planning
 * (the database's fan-out to members with the default quiet hours, the rows of members with their
 * own, a substitute's rows with either), answerMeeting's rows for a substitute, replanPerson
 * after a change of quiet hours and replanTeam's re-timing (dropStaleReminders). Those that time
 * again do it from now when the time meant has passed (a reminder held by quiet hours), and leave
 * a row already due and still due as it is (setDueTimes). Random meeting times (around the March
 * and October clock changes of Europe/Warsaw and America/New_York, and any day), offsets, clocks
 * and quiet hours (none, over midnight, by day, none at all), through the real entry points.
 * MODEL_SEED and MODEL_RUNS repeat a run.
 */

const ZONES = ['Europe/Warsaw', 'America/New_York'] as const;
/** The days around the clock changes of 2027: Europe 28 March and 31 October, America 14 March and 7 November. */
const CHANGE_DAYS = ['2027-03-27', '2027-03-28', '2027-03-29', '2027-10-30', '2027-10-31', '2027-11-01', '2027-03-13', '2027-03-14', '2027-03-15', '2027-11-06', '2027-11-07', '2027-11-08'];
const OFFSETS = ['P3D', 'P2D', 'P1D', 'PT10H', 'PT8H', 'PT2H', 'PT1H', 'PT30M', 'PT15M'];
const PEOPLE = ['anna', 'ewa', 'marta'] as const;
type Who = (typeof PEOPLE)[number];

interface Run {
  zone: (typeof ZONES)[number];
  date: string;
  /** Local start; never 01:xx or 02:xx, which a clock change skips or repeats. */
  hour: number;
  minute: number;
  offsets: string[];
  /** Quiet hours at planning (null: none set, the default), and Ewa's and Anna's after their change. */
  quiet: Record<Who, QuietHours | null>;
  ewaAfter: QuietHours | null;
  annaAfter: QuietHours | null;
  /** Planning this many minutes before the start; the changes this many thousandths of that later. */
  before: number;
  later: number;
}

const quietHours: fc.Arbitrary<QuietHours | null> = fc.option(
  fc.oneof(
    fc.record({ from: fc.integer({ min: 0, max: 23 }), to: fc.integer({ min: 0, max: 23 }) }),
    // Over midnight, and the default.
    fc.record({ from: fc.integer({ min: 18, max: 23 }), to: fc.integer({ min: 5, max: 10 }) }),
    fc.constant(DEFAULT_QUIET_HOURS),
  ),
  { nil: null, freq: 4 },
);

const anyDay = fc.integer({ min: 0, max: 364 }).map((d) => DateTime.fromISO('2027-01-01', { zone: 'UTC' }).plus({ days: d }).toISODate()!);

const run: fc.Arbitrary<Run> = fc.record({
  zone: fc.constantFrom(...ZONES),
  date: fc.oneof(fc.constantFrom(...CHANGE_DAYS), anyDay),
  hour: fc.integer({ min: 0, max: 21 }).map((h) => (h >= 1 ? h + 2 : h)),
  minute: fc.constantFrom(0, 15, 30, 45, 7),
  offsets: fc.uniqueArray(fc.constantFrom(...OFFSETS), { minLength: 1, maxLength: 4 }),
  quiet: fc.record({ anna: quietHours, ewa: quietHours, marta: quietHours }),
  ewaAfter: quietHours,
  annaAfter: quietHours,
  before: fc.oneof(fc.integer({ min: 1, max: 4 * 24 * 60 }), fc.integer({ min: 1, max: 180 })),
  later: fc.integer({ min: 0, max: 999 }),
});

const RUNS = modelRuns(40);
const EMAIL: Record<Who, string> = { anna: 'anna@example.org', ewa: 'ewa@example.org', marta: 'marta@example.org' };

function schedule(teamId: string, r: Run): string {
  const time = `${String(r.hour).padStart(2, '0')}:${String(r.minute).padStart(2, '0')}`;
  return `
staff:
  - { name: Marta Zastępczyni, email: ${EMAIL.marta}, institution: PZK Łódź }
teams:
  - id: ${teamId}
    name: PZK ${teamId}
    area: gmina
    timezone: ${r.zone}
    meetings:
      rrule: FREQ=DAILY;COUNT=1
      starts: ${r.date}T${time}
      duration: PT2H
      location: Sala 1
      on_holiday: keep
      reminders: [${r.offsets.join(', ')}]
    members:
      - { name: Ewa Koordynator, email: ${EMAIL.ewa}, role: coordinator, institution: Inna }
      - { name: Anna Członek, email: ${EMAIL.anna}, institution: PZK Łódź }
`;
}

const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : 'null');

describe.each(dialects)('every writer of a meeting reminder times it as personalReminderTiming, on %s', (kind) => {
  let db: Db;
  beforeAll(async () => (db = await freshDatabase(kind)));
  afterAll(async () => db?.close());
  let team = 0;

  async function check(r: Run): Promise<void> {
    const teamId = `t${++team}`;
    await sql`delete from deliveries`.execute(db.db);
    await sql`delete from meeting_answers`.execute(db.db);
    await sql`delete from preferences`.execute(db.db);
    const start = DateTime.fromISO(`${r.date}T${String(r.hour).padStart(2, '0')}:${String(r.minute).padStart(2, '0')}`, { zone: r.zone }).toJSDate();
    const c0 = new Date(start.getTime() - r.before * 60_000);
    const c1 = new Date(c0.getTime() + Math.floor((r.later * r.before) / 1000) * 60_000);
    const clock = new FixedClock(c0);
    await importYaml(db.db, clock, { 't.yaml': schedule(teamId, r) });
    const ids = {} as Record<Who, number>;
    for (const who of PEOPLE) ids[who] = (await db.db.selectFrom('people').select('id').where('email', '=', EMAIL[who]).executeTakeFirstOrThrow()).id;
    const quiet: Record<Who, QuietHours | null> = { ...r.quiet };
    const setQuiet = async (who: Who, q: QuietHours | null) => {
      quiet[who] = q;
      await db.db.deleteFrom('preferences').where('person_id', '=', ids[who]).execute();
      if (q) await db.db.insertInto('preferences').values({ person_id: ids[who], quiet_from: q.from, quiet_to: q.to, muted_kinds: '[]', muted_channels: '[]' }).execute();
    };
    for (const who of PEOPLE) await setQuiet(who, quiet[who]);

    // The model: each (person, offset) row's due time and earliest_at.
    const model = new Map<string, { due: Date; earliest: Date }>();
    const meantOf = (offset: string) => DateTime.fromJSDate(start, { zone: r.zone }).minus(Duration.fromISO(offset)).toJSDate();
    /** personalReminderTiming, from now when the time meant has passed. */
    const timing = (who: Who, offset: string, now: Date) => {
      const meant = meantOf(offset);
      const { dueAt, earliestAt } = personalReminderTiming(meant < now ? now : meant, start, r.zone, quiet[who] ?? DEFAULT_QUIET_HOURS);
      return { due: dueAt, earliest: earliestAt };
    };
    /** Planning: what is missing and not yet meant, or meant already but held by quiet hours to a time to come. */
    const plan = (now: Date, people: Who[]) => {
      for (const who of people) {
        for (const offset of r.offsets) {
          const meant = meantOf(offset);
          const past = meant < now && personalReminderTiming(meant, start, r.zone, quiet[who] ?? DEFAULT_QUIET_HOURS).dueAt < now;
          if (past || model.has(`${who} ${offset}`)) continue;
          model.set(`${who} ${offset}`, timing(who, offset, now));
        }
      }
    };
    /** Timing again: every row of theirs, but one due and still due keeps its time (setDueTimes). */
    const retime = (now: Date, people: Who[]) => {
      for (const [key, old] of model) {
        const [who, offset] = key.split(' ') as [Who, string];
        if (!people.includes(who)) continue;
        const again = timing(who, offset, now);
        if (old.due > now || again.due > now) model.set(key, again);
      }
    };
    const expectRows = async (step: string) => {
      const rows = await sql<{ email: string; offset: string; due_at: Date; earliest_at: Date | null }>`
        select p.email, d.payload->>'offset' as offset, d.due_at, d.earliest_at from deliveries d join people p on p.id = d.person_id
        where d.team_id = ${teamId} and d.kind = 'reminder' and d.state = 'pending' and d.payload->>'type' = 'reminder'`.execute(db.db);
      const written = Object.fromEntries(rows.rows.map((w) => [`${w.email.split('@')[0]} ${w.offset}`, `${iso(w.due_at)} ${iso(w.earliest_at)}`]));
      const wanted = Object.fromEntries([...model].map(([key, t]) => [key, `${iso(t.due)} ${iso(t.earliest)}`]));
      expect(written, `${step}: start ${iso(start)} (${r.zone}), now ${iso(clock.now())}, quiet ${JSON.stringify(quiet)}`).toEqual(wanted);
    };

    await planReminders(db.db, { clock });
    plan(c0, ['anna', 'ewa']);
    await expectRows('planning');

    const answered = await answerMeeting(db.db, { teamId, occurrenceDate: DateTime.fromJSDate(start, { zone: r.zone }).toISODate()!, personId: ids.anna, answer: 'not_attending', substituteEmail: EMAIL.marta, source: 'link' }, clock);
    expect(answered.ok).toBe(true);
    plan(c0, ['marta']);
    await expectRows('answerMeeting (substituteReminders)');

    await db.db.deleteFrom('deliveries').where('person_id', '=', ids.marta).where('kind', '=', 'reminder').execute();
    for (const offset of r.offsets) model.delete(`marta ${offset}`);
    await planReminders(db.db, { clock, teamIds: [teamId] });
    plan(c0, ['marta']);
    await expectRows('planning for the substitute (fanOutSubstitutes)');

    clock.set(c1.toISOString());
    await setQuiet('ewa', r.ewaAfter);
    await replanPerson(db.db, ids.ewa, clock);
    retime(c1, ['ewa']);
    await expectRows('replanPerson');

    await setQuiet('anna', r.annaAfter);
    await replanTeam(db.db, teamId, clock);
    retime(c1, [...PEOPLE]);
    plan(c1, [...PEOPLE]);
    await expectRows('replanTeam (dropStaleReminders)');
  }

  it('planning, a substitute, a change of quiet hours and of the team', async () => {
    await checkModel(`reminder timing of every writer on ${kind}`, run, check, RUNS);
  }, 240_000);
});
