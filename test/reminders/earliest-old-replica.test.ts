import { sql } from 'kysely';
import { DateTime } from 'luxon';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { backfillEarliestSend } from '../../src/reminders/earliest-backfill.js';
import { planReminders } from '../../src/reminders/plan-reminders.js';
import { dialects, freshDatabase } from '../support/databases.js';
import { importYaml } from '../support/schedule-builder.js';

// Hostile review, KNOWN BUG (not fixed here, see the reason below): during a rolling upgrade a
// replica of the previous version re-times a reminder (its setDueTimes, 1d81285) and moves
// due_at and next_attempt_at but not earliest_at, which this version wrote for the old due
// time. Nothing repairs it: the start-up back-fill fills only rows whose earliest_at is null.
// The row is then free to leave at the old earliest_at, days before and across the nights
// (quiet hours) before its new due time, once a claim reads earliest_at. A fix needs either a
// trigger in migration 0031 (before update of due_at: earliest_at := null unless it was set in
// the same statement; the back-fill then fills it) or a claim that checks earliest_at against
// the due time it was computed for; both are the lead's call. it.fails: flip it when fixed.

const zone = 'Europe/Warsaw';
const warsaw = (iso: string) => DateTime.fromISO(iso, { zone }).toJSDate();

const schedule = `
teams:
  - id: t1
    name: PZK Test
    area: gmina
    meetings:
      rrule: FREQ=WEEKLY;BYDAY=TU;COUNT=1
      starts: 2027-03-09T18:00
      duration: PT2H
      location: Sala 1
      reminders: [PT2H]
    members:
      - { name: Ewa Koordynator, email: ewa@example.org, role: coordinator }
`;

describe.each(dialects)("an older replica's re-time of a row with earliest_at, on %s", (kind) => {
  let db: Db;
  const clock = new FixedClock('2027-03-01T00:00:00Z');
  beforeEach(async () => {
    db = await freshDatabase(kind);
    await importYaml(db.db, clock, { 't.yaml': schedule });
  });
  afterEach(async () => db?.close());

  it.fails('leaves an earliest_at two days and two nights before the new due time, which no start repairs', async () => {
    await planReminders(db.db, { clock });
    const row = await db.db.selectFrom('deliveries').select(['id', 'earliest_at']).where('kind', '=', 'reminder').executeTakeFirstOrThrow();
    expect(row.earliest_at?.toISOString()).toBe(warsaw('2027-03-09T15:48').toISOString());
    // The meeting moved to Thursday 08:30; the old replica holds the 2-hour reminder to 07:00 (its setDueTimes, word for word).
    const due = warsaw('2027-03-11T07:00');
    await sql`
      update deliveries d set due_at = u.due_at, next_attempt_at = u.due_at, updated_at = ${clock.now()}
      from unnest(${[row.id]}::bigint[], ${[due.toISOString()]}::timestamptz[]) as u(id, due_at)
      where d.id = u.id and d.state = 'pending' and d.attempts = 0 and d.next_attempt_at <> u.due_at
        and (d.next_attempt_at > ${clock.now()} or u.due_at > ${clock.now()})`.execute(db.db);
    await backfillEarliestSend(db.db);
    const after = await db.db.selectFrom('deliveries').select('earliest_at').where('id', '=', row.id).executeTakeFirstOrThrow();
    // Held to the end of quiet hours: it may not leave before 07:00 (null, never early, would do too).
    expect(after.earliest_at === null || after.earliest_at.getTime() >= due.getTime()).toBe(true);
  });
});
