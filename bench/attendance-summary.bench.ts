/**
 * Issue 15: the attendance summary (`obecność`, and the one sent the day before) for one team
 * meeting with 5,000 teams in the database: p99 under 50 ms, on PGlite and PostgreSQL. Each
 * team has 11 members and answers (three in four members) for 8 meetings and presence for two,
 * so the tables hold about 330,000 answers and 110,000 presence rows; the query must reach one
 * meeting's rows by the primary keys, not by scanning.
 */
import { sql, type Kysely } from 'kysely';
import { performance } from 'node:perf_hooks';
import type { Db } from '../src/db/db.port.js';
import type { Database } from '../src/db/tables.js';
import { occurrenceOn } from '../src/domain/occurrences.js';
import { loadTeams } from '../src/feeds/feed-data.js';
import { loadSummary, summaryMessage } from '../src/participation/attendance-summary.js';
import { freshPglite, freshPostgres, postgresUrl } from './databases.js';
import { ms, percentile, type Report, yesNo } from './support.js';

const TEAMS = 5000;
const MEMBERS = 11;
const MEETINGS = 8;
const RUNS = 400;
const GOAL_MS = 50;

/** 5,000 teams meeting on the 2nd and 4th Tuesday, their members, answers for four months and presence for the first two meetings. */
async function fill(db: Kysely<Database>): Promise<void> {
  await sql`insert into teams (id, name, area, timezone, source) select 't' || i, 'Zespół ' || i, 'gmina', 'Europe/Warsaw', 'bench' from generate_series(1, ${TEAMS}) i`.execute(db);
  await sql`insert into meeting_series (team_id, rrule, starts_local, duration, location, reminders, on_holiday)
    select 't' || i, 'FREQ=MONTHLY;BYDAY=2TU,4TU', '2027-01-12T10:00', 'PT2H', 'Sala ' || i, '["P1D"]', 'shift' from generate_series(1, ${TEAMS}) i`.execute(db);
  await sql`insert into people (email, name, institution, language, channels, source)
    select 'p' || i || '@example.org', 'Osoba ' || i, 'Instytucja ' || (i % 10), 'pl', '["email"]', 'bench' from generate_series(1, ${TEAMS * MEMBERS}) i`.execute(db);
  await sql`insert into memberships (team_id, person_id, role)
    select 't' || ((p.id - 1) / ${MEMBERS} + 1), p.id, case when p.id % ${MEMBERS} = 1 then 'coordinator' else 'member' end from people p where p.source = 'bench'`.execute(db);
  // Membership history, as an import writes it: one open period each (the summary counts members at the meeting).
  await sql`insert into membership_periods (team_id, person_id, started_at) select team_id, person_id, created_at from memberships`.execute(db);
  const dates = Array.from({ length: MEETINGS }, (_, i) => `2027-${String(Math.floor(i / 2) + 1).padStart(2, '0')}-${i % 2 ? '26' : '12'}`);
  await sql`insert into meeting_answers (team_id, occurrence_date, person_id, answer, reason, source, answered_at)
    select m.team_id, d, m.person_id, case when m.person_id % 3 = 0 then 'not_attending' else 'attending' end, case when m.person_id % 3 = 0 then 'urlop' end, 'chat', now()
    from memberships m cross join unnest(${dates}::text[]) d where m.person_id % 4 <> 0`.execute(db);
  await sql`insert into attendance (kind, ref_id, day, person_id, present, method, marked_at)
    select 'meeting', m.team_id, d, m.person_id, m.person_id % 5 <> 0, 'coordinator', now()
    from memberships m cross join unnest(${dates.slice(0, 2)}::text[]) d`.execute(db);
  await sql`analyze`.execute(db);
}

/** What `obecność` does for one meeting once the role is checked: the team, its occurrence, the summary and its message. */
async function summaryOf(db: Kysely<Database>, teamId: string, date: string): Promise<number> {
  const [team] = await loadTeams(db, [teamId]);
  const occurrence = occurrenceOn(team!.meetings, date)!;
  const rows = await loadSummary(db, teamId, occurrence);
  const message = summaryMessage(team!.team.name, teamId, occurrence, rows, 'pl', { publicUrl: 'https://koop.example.org', secret: 's'.repeat(40), viewerId: 1, now: new Date() });
  return message.items!.length;
}

async function measure(report: Report, label: string, db: Db): Promise<void> {
  await fill(db.db);
  const times: number[] = [];
  for (let i = 0; i < RUNS + 20; i++) {
    const team = `t${1 + ((i * 7919) % TEAMS)}`;
    const date = i % 2 ? '2027-01-12' : '2027-01-26';
    const t0 = performance.now();
    const items = await summaryOf(db.db, team, date);
    if (i >= 20) times.push(performance.now() - t0);
    if (items === 0) throw new Error('the summary came out empty');
  }
  const p99 = percentile(times, 99);
  report.row(`attendance summary, 5,000 teams, ${label}: p50 / p99`, `${ms(percentile(times, 50))} / ${ms(p99)}`, `p99 < ${GOAL_MS} ms`, yesNo(p99 < GOAL_MS));
  const plan = await sql<{ 'QUERY PLAN': string }>`explain select a.answer from meeting_answers a where a.team_id = 't42' and a.occurrence_date = '2027-01-12'`.execute(db.db);
  const text = plan.rows.map((r) => r['QUERY PLAN']).join(' ');
  report.note(`attendance summary (${label}): answers of one meeting are read by ${/Index/.test(text) ? 'the primary key index' : 'a scan (!)'}: ${text.slice(0, 120)}`);
}

export async function attendanceSummaryBenchmark(report: Report): Promise<void> {
  const pglite = await freshPglite();
  try {
    await measure(report, 'PGlite', pglite);
  } finally {
    await pglite.close();
  }
  const pg = await postgresUrl();
  if ('skip' in pg) {
    report.row('attendance summary, 5,000 teams, PostgreSQL', 'skipped', `p99 < ${GOAL_MS} ms`, 'skipped');
    report.note(`attendance summary on PostgreSQL skipped: ${pg.skip}`);
    return;
  }
  const postgres = await freshPostgres(pg.url);
  try {
    await measure(report, 'PostgreSQL', postgres);
  } finally {
    await postgres.close();
  }
}
