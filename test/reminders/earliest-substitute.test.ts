import { DateTime } from 'luxon';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { answerMeeting } from '../../src/participation/meeting-answers.js';
import { planReminders } from '../../src/reminders/plan-reminders.js';
import { outsideQuietHours, type QuietHours } from '../../src/reminders/quiet-hours.js';
import { dialects, freshDatabase } from '../support/databases.js';
import { importYaml } from '../support/schedule-builder.js';
import { teamWithSubstitute } from './earliest-fixture.js';

// Hostile review: a substitute's reminders are timed by the default quiet hours at planning
// (fanOutSubstitutes, substituteReminders), but the early window earliest_at opens must stay
// outside the substitute's own quiet hours (docs/delivery-engine.md, rule 3).

const zone = 'Europe/Warsaw';
const warsaw = (iso: string) => DateTime.fromISO(iso, { zone }).toJSDate();
const local = (d: Date) => DateTime.fromJSDate(d, { zone }).toFormat("yyyy-MM-dd'T'HH:mm");

const schedule = teamWithSubstitute();

describe.each(dialects)("a substitute's early window and their own quiet hours, on %s", (kind) => {
  let db: Db;
  const clock = new FixedClock('2027-03-01T00:00:00Z');
  const personId = async (email: string) => (await db.db.selectFrom('people').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;
  // Marta sleeps until 16:00 (quiet 20–16).
  const quiet: QuietHours = { from: 20, to: 16 };
  /** Marta's rows whose early window reaches into her quiet hours though their due time is outside them. */
  const intoQuiet = async () => {
    const marta = await personId('marta@example.org');
    const rows = await db.db.selectFrom('deliveries').select(['payload', 'due_at', 'earliest_at']).where('person_id', '=', marta).where('kind', '=', 'reminder').execute();
    expect(rows.length).toBe(3);
    const bad: string[] = [];
    for (const r of rows) {
      const due = new Date(r.due_at);
      const earliest = new Date(r.earliest_at ?? r.due_at);
      const inQuiet = (t: number) => outsideQuietHours(new Date(t), new Date(t + 86_400_000), zone, quiet).getTime() !== t;
      if (inQuiet(due.getTime())) continue;
      for (let t = earliest.getTime(); t <= due.getTime(); t += 60_000) {
        if (inQuiet(t)) {
          bad.push(`${(r.payload as { offset: string }).offset} due ${local(due)} earliest ${local(earliest)}`);
          break;
        }
      }
    }
    return bad;
  };

  beforeEach(async () => {
    clock.set('2027-03-01T00:00:00Z');
    db = await freshDatabase(kind);
    await importYaml(db.db, clock, { 't.yaml': schedule });
    const marta = await personId('marta@example.org');
    await db.db.insertInto('preferences').values({ person_id: marta, quiet_from: quiet.from, quiet_to: quiet.to, muted_kinds: '[]', muted_channels: '[]' }).execute();
  });
  afterEach(async () => db?.close());

  const answer = async () => {
    clock.set(warsaw('2027-03-02T09:00').toISOString());
    const anna = await personId('anna@example.org');
    const answered = await answerMeeting(db.db, { teamId: 't1', occurrenceDate: '2027-03-09', personId: anna, answer: 'not_attending', substituteEmail: 'marta@example.org', source: 'link' }, clock);
    expect(answered.ok).toBe(true);
  };

  it('the rows answerMeeting writes for her (substituteReminders)', async () => {
    await planReminders(db.db, { clock });
    await answer();
    expect(await intoQuiet()).toEqual([]);
  });

  it('the rows planning writes for her (fanOutSubstitutes)', async () => {
    await answer();
    // Her rows as planning writes them: gone (say, planned by a start before the answer's rows were kept), planned again.
    await db.db.deleteFrom('deliveries').where('person_id', '=', await personId('marta@example.org')).where('kind', '=', 'reminder').execute();
    await planReminders(db.db, { clock });
    expect(await intoQuiet()).toEqual([]);
  });

  describe('her due time, when her own quiet hours cover one of the default times (she works nights: quiet 12–17)', () => {
    // The 2-hour reminder is meant for 16:00, inside her quiet hours; held to 17:00 it is still
    // before the 18:00 meeting, so it is due at 17:00, whichever path writes it (docs/delivery-engine.md, rule 3).
    const day: QuietHours = { from: 12, to: 17 };
    beforeEach(async () => {
      await db.db.updateTable('preferences').set({ quiet_from: day.from, quiet_to: day.to }).where('person_id', '=', await personId('marta@example.org')).execute();
    });
    /** Marta's rows: each offset's due time and earliest_at, local. */
    const hers = async () => {
      const rows = await db.db.selectFrom('deliveries').select(['payload', 'due_at', 'earliest_at']).where('person_id', '=', await personId('marta@example.org')).where('kind', '=', 'reminder').execute();
      return Object.fromEntries(rows.map((r) => [(r.payload as { offset: string }).offset, [local(new Date(r.due_at)), local(new Date(r.earliest_at ?? r.due_at))]]));
    };
    const expected = { P1D: ['2027-03-08T18:00', '2027-03-08T17:00'], PT2H: ['2027-03-09T17:00', '2027-03-09T17:00'], PT15M: ['2027-03-09T17:45', '2027-03-09T17:45'] };

    it('the rows answerMeeting writes for her (substituteReminders)', async () => {
      await answer();
      expect(await hers()).toMatchObject(pick(expected));
    });

    it('the rows planning writes for her (fanOutSubstitutes)', async () => {
      await answer();
      await db.db.deleteFrom('deliveries').where('person_id', '=', await personId('marta@example.org')).where('kind', '=', 'reminder').execute();
      await planReminders(db.db, { clock });
      expect(await hers()).toMatchObject(pick(expected));
    });
  });
});

/** Only the due times: earliest_at is checked by the tests above (never inside her quiet hours). */
const pick = (rows: Record<string, string[]>) => Object.fromEntries(Object.entries(rows).map(([k, [due]]) => [k, [due, expect.any(String)]]));
