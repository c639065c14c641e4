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

// Hostile review of e5daa74 (a substitute's reminder timing by personalReminderTiming): quiet
// hours over midnight (20–08) across the spring clock change in Europe/Warsaw (28 March 2027,
// 02:00 → 03:00), whichever path writes the rows; and a substitute with no preferences at all.
const zone = 'Europe/Warsaw';
const warsaw = (iso: string) => DateTime.fromISO(iso, { zone }).toJSDate();
const local = (d: Date) => DateTime.fromJSDate(d, { zone }).toFormat("yyyy-MM-dd'T'HH:mm");

/** Tuesday 30 March 2027 at 09:30 (Monday 29th is Easter Monday); reminders two days (the clock change's Sunday), 3 h and 15 min before. */
const schedule = teamWithSubstitute('', { starts: '2027-03-30T09:30', reminders: 'P2D, PT3H, PT15M' });

describe.each(dialects)("a substitute's reminder timing over the clock change, on %s", (kind) => {
  let db: Db;
  const clock = new FixedClock('2027-03-20T00:00:00Z');
  const personId = async (email: string) => (await db.db.selectFrom('people').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;
  const night: QuietHours = { from: 20, to: 8 };

  beforeEach(async () => {
    clock.set('2027-03-20T00:00:00Z');
    db = await freshDatabase(kind);
    await importYaml(db.db, clock, { 't.yaml': schedule });
  });
  afterEach(async () => db?.close());

  const answer = async () => {
    clock.set(warsaw('2027-03-26T09:00').toISOString());
    const anna = await personId('anna@example.org');
    const answered = await answerMeeting(db.db, { teamId: 't1', occurrenceDate: '2027-03-30', personId: anna, answer: 'not_attending', substituteEmail: 'marta@example.org', source: 'link' }, clock);
    expect(answered.ok).toBe(true);
  };
  const rowsOf = async (email: string) => {
    const rows = await db.db.selectFrom('deliveries').select(['payload', 'due_at', 'earliest_at', 'channels', 'channel_index']).where('person_id', '=', await personId(email)).where('kind', '=', 'reminder').execute();
    // The lane too: a row whose channels were written wrong (a string, not a list) is in no lane.
    return Object.fromEntries(rows.map((r) => [(r.payload as { offset: string }).offset, { due: local(new Date(r.due_at)), earliest: local(new Date(r.earliest_at ?? r.due_at)), lane: (r.channels as string[])[r.channel_index] }]));
  };
  /** What each offset's due time must be by quiet hours `q`, computed here from the rule. */
  const dueBy = (q: QuietHours) => {
    const start = warsaw('2027-03-30T09:30');
    const meant = { P2D: warsaw('2027-03-28T09:30'), PT3H: warsaw('2027-03-30T06:30'), PT15M: warsaw('2027-03-30T09:15') };
    return Object.fromEntries(Object.entries(meant).map(([k, m]) => [k, local(outsideQuietHours(m, start, zone, q))]));
  };
  const inQuiet = (d: string, q: QuietHours) => {
    const h = DateTime.fromISO(d, { zone }).hour;
    return q.from > q.to ? h >= q.from || h < q.to : h >= q.from && h < q.to;
  };
  const check = (rows: Record<string, { due: string; earliest: string; lane?: string }>, q: QuietHours) => {
    for (const r of Object.values(rows)) expect(r.lane).toBe('email');
    expect(Object.fromEntries(Object.entries(rows).map(([k, r]) => [k, r.due]))).toEqual(dueBy(q));
    // The 3-hour reminder is meant for 06:30, inside 20–08: held to 08:00, before the meeting.
    for (const [offset, r] of Object.entries(rows)) {
      if (inQuiet(r.due, q)) continue;
      for (let t = DateTime.fromISO(r.earliest, { zone }); t.toISO()! <= DateTime.fromISO(r.due, { zone }).toISO()!; t = t.plus({ minutes: 1 })) {
        expect(inQuiet(t.toISO()!, q), `${offset}: ${r.earliest}..${r.due}`).toBe(false);
      }
    }
  };

  it('should time her rows by her quiet hours 20–08, answerMeeting and planning alike', async () => {
    await db.db.insertInto('preferences').values({ person_id: await personId('marta@example.org'), quiet_from: night.from, quiet_to: night.to, muted_kinds: '[]', muted_channels: '[]' }).execute();
    await answer();
    const answered = await rowsOf('marta@example.org');
    check(answered, night);
    expect(answered.PT3H!.due).toBe('2027-03-30T08:00');
    await db.db.deleteFrom('deliveries').where('person_id', '=', await personId('marta@example.org')).execute();
    await planReminders(db.db, { clock });
    expect(await rowsOf('marta@example.org')).toEqual(answered);
  });

  it('should time a substitute with no preferences as a member with none, answerMeeting and planning alike', async () => {
    await answer();
    const answered = await rowsOf('marta@example.org');
    // Her rows as planning writes them: gone, planned again (the first planning: the whole horizon).
    await db.db.deleteFrom('deliveries').where('person_id', '=', await personId('marta@example.org')).execute();
    await planReminders(db.db, { clock });
    const ewa = await rowsOf('ewa@example.org');
    expect(Object.keys(ewa)).toHaveLength(3);
    expect(answered).toEqual(ewa);
    expect(await rowsOf('marta@example.org')).toEqual(ewa);
  });
});
