import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IcalGeneratorRenderer } from '../../adapters/ical/ical-renderer.js';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { loadTeams } from '../../src/feeds/feed-data.js';
import { FeedService } from '../../src/feeds/feed-service.js';
import { teamPlans } from '../../src/reminders/reminder-plans.js';
import { dialects, freshDatabase } from '../support/databases.js';
import { ZONE } from './ical.js';

const TEAMS = 1234;

/**
 * all.ics, loadTeams() and teamPlans() read every team in chunks sized by time (one statement
 * for 5,000 teams held PGlite's thread, time-slices.ts): more teams than a first chunk must all
 * come back, once each, in id order, with their exceptions.
 */
describe.each(dialects)('every team read in chunks (%s)', (kind) => {
  let db: Db;
  beforeAll(async () => {
    db = await freshDatabase(kind);
    await sql`insert into teams (id, name, area, timezone, source)
      select 'team-' || lpad(i::text, 5, '0'), 'Zespół ' || i, 'gmina', 'Europe/Warsaw', 'test.yaml' from generate_series(1, ${TEAMS}::int) i`.execute(db.db);
    await sql`insert into meeting_series (team_id, rrule, starts_local, duration, location, reminders, on_holiday)
      select 'team-' || lpad(i::text, 5, '0'), 'FREQ=MONTHLY;BYDAY=2TU', '2027-01-12T18:00', 'PT2H', 'Sala ' || i, '["P1D"]'::jsonb, 'shift'
      from generate_series(1, ${TEAMS}::int) i`.execute(db.db);
    // The last team's February meeting is cancelled: an exception of a team in a later chunk.
    await sql`insert into meeting_exceptions (team_id, occurrence_date, cancelled) values (${`team-${String(TEAMS).padStart(5, '0')}`}, '2027-02-09', true)`.execute(db.db);
  }, 120_000);
  afterAll(() => db.close());

  const ids = Array.from({ length: TEAMS }, (_, i) => `team-${String(i + 1).padStart(5, '0')}`);

  it('should put every team in all.ics once', async () => {
    const feeds = new FeedService({ db: db.db, renderer: new IcalGeneratorRenderer(ZONE), clock: new FixedClock('2027-01-01T06:00:00Z') });
    const body = (await feeds.all()).body.toString('utf8');
    const locations = [...body.matchAll(/^LOCATION:Sala (\d+)\r?$/gm)].map((m) => Number(m[1]));
    expect(new Set(locations).size).toBe(TEAMS);
    expect(locations).toHaveLength(TEAMS);
  });

  it('should load every team in id order with its exceptions, and mark each', async () => {
    const teams = await loadTeams(db.db);
    expect(teams.map((t) => t.team.id)).toEqual(ids);
    expect(teams.at(-1)!.meetings.exceptions).toEqual([{ date: '2027-02-09', cancelled: true, movedToLocal: null }]);
    expect([...(await teamPlans(db.db, 'reminders')).keys()].sort()).toEqual(ids);
  });
});
