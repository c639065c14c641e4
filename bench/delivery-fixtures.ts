/** Bulk data for the delivery benchmarks, made in SQL (generate_series): thousands of teams in seconds. */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../src/db/tables.js';

/** `teams` teams of `members` members each, twice-monthly meetings with three reminder offsets. */
export async function seedTeams(db: Kysely<Database>, teams: number, members: number): Promise<void> {
  await sql`insert into teams (id, name, area, timezone, source)
    select 'team-' || lpad(i::text, 5, '0'), 'PZK ' || i, 'gmina', 'Europe/Warsaw', 'bench.yaml' from generate_series(1, ${teams}::int) i`.execute(db);
  await sql`insert into meeting_series (team_id, rrule, starts_local, duration, location, reminders, on_holiday)
    select 'team-' || lpad(i::text, 5, '0'), 'FREQ=MONTHLY;BYDAY=2TU,4TU', '2027-01-12T' || lpad((8 + i % 8)::text, 2, '0') || ':00',
      'PT2H', 'Sala ' || i, '["P7D","P1D","PT2H"]'::jsonb, 'shift' from generate_series(1, ${teams}::int) i`.execute(db);
  await sql`insert into people (email, name, language, channels, source)
    select 'p' || i || '@example.org', 'Osoba ' || i, 'pl', '["email"]'::jsonb, 'bench.yaml' from generate_series(1, ${teams * members}::int) i`.execute(db);
  await sql`insert into memberships (team_id, person_id, role)
    select 'team-' || lpad(((p.id - first.id) / ${members}::int + 1)::text, 5, '0'), p.id, 'member'
    from people p, (select min(id) as id from people where source = 'bench.yaml') first where p.source = 'bench.yaml'`.execute(db);
}

/** One person, and `count` deliveries due at `dueAt` (or spread by `spreadMs` each). */
export async function seedDue(db: Kysely<Database>, count: number, dueAt: Date, spreadMs = 0, prefix = 'd'): Promise<void> {
  await sql`insert into people (email, name, language, channels, source) values (${`${prefix}@example.org`}, 'Odbiorca', 'pl', '["email"]'::jsonb, 'bench.yaml')
    on conflict do nothing`.execute(db);
  await sql`insert into deliveries (dedupe_key, kind, person_id, channels, payload, due_at, next_attempt_at)
    select ${prefix} || '-' || i, 'notice', (select id from people where email = ${`${prefix}@example.org`}), '["email"]'::jsonb,
      jsonb_build_object('language', 'pl', 'title', 'Wiadomość ' || i, 'text', 'Treść'),
      ${dueAt}::timestamptz + (i * ${spreadMs}::int) * interval '1 millisecond',
      ${dueAt}::timestamptz + (i * ${spreadMs}::int) * interval '1 millisecond'
    from generate_series(1, ${count}::int) i`.execute(db);
}
