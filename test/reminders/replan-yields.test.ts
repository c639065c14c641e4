import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { planSummaries } from '../../src/participation/summary-plans.js';
import { planReminders } from '../../src/reminders/plan-reminders.js';
import { planCheckins } from '../../src/reports/checkins.js';
import { freshDatabase } from '../support/databases.js';

const TEAMS = 2000;

/** The longest time (ms) a 1 ms timer waited while `work` ran: how long a request would have. */
async function longestStall(work: () => Promise<unknown>): Promise<number> {
  let last = performance.now();
  let longest = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 1);
  try {
    await work();
    longest = Math.max(longest, performance.now() - last);
  } finally {
    clearInterval(timer);
  }
  return longest;
}

/**
 * Issue 17: the daily re-plan of thousands of teams runs on the thread that answers requests.
 * Before it paused by time (time-slices.ts), planning check-ins for 2,000 teams held the event
 * loop for well over a second in one go (and scanned every coordinator for every occurrence).
 * The bound is generous for a busy machine; the old code missed it several times over.
 */
describe('planning thousands of teams', () => {
  let db: Db;
  const clock = new FixedClock('2027-01-01T06:00:00Z');

  beforeAll(async () => {
    db = await freshDatabase('pglite');
    await sql`insert into teams (id, name, area, timezone, source) select 't' || i, 'Zespół ' || i, 'gmina', 'Europe/Warsaw', 'test' from generate_series(1, ${TEAMS}::int) i`.execute(db.db);
    await sql`insert into meeting_series (team_id, rrule, starts_local, duration, location, reminders, on_holiday)
      select 't' || i, 'FREQ=WEEKLY;BYDAY=TU', '2027-01-05T10:00', 'PT2H', 'Sala ' || i, '["P7D","P1D","PT2H"]'::jsonb, 'shift' from generate_series(1, ${TEAMS}::int) i`.execute(db.db);
    await sql`insert into people (email, name, language, channels, source) select 'p' || i || '@example.org', 'Osoba ' || i, 'pl', '["email"]'::jsonb, 'test' from generate_series(1, ${TEAMS}::int) i`.execute(db.db);
    await sql`insert into memberships (team_id, person_id, role) select 't' || (p.id - first.id + 1), p.id, 'coordinator' from people p, (select min(id) as id from people) first`.execute(db.db);
  }, 120_000);
  afterAll(async () => db?.close());

  it('should let the event loop run at least every 250 ms while it plans reminders, check-ins and attendance summaries', async () => {
    let counts: number[] = [];
    const stall = await longestStall(async () => {
      counts = [await planReminders(db.db, { clock }), await planCheckins(db.db, { clock }), await planSummaries(db.db, { clock })];
    });
    // Everything was planned: 9 Tuesdays × 3 offsets per team, two check-in stages per meeting, a summary per meeting.
    expect(counts[0]).toBeGreaterThan(TEAMS * 20);
    expect(counts[1]).toBeGreaterThan(TEAMS * 10);
    expect(counts[2]).toBeGreaterThan(TEAMS * 5);
    expect(stall).toBeLessThan(250);
  }, 300_000);
});
