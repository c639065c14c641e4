import { sql, type Kysely } from 'kysely';
import { DateTime } from 'luxon';
import type { Database } from '../db/tables.js';
import { setDueTimes } from '../delivery/outbox.js';
import { parseDuration } from '../domain/local-time.js';
import { occurrenceOn, takesPlace, type Occurrence } from '../domain/occurrences.js';
import { loadTeams } from '../feeds/feed-data.js';
import { occurrenceKey } from './occurrence-window.js';
import { quietHoursColumns, quietOf, reminderTimingRule } from './quiet-hours.js';
import { notClaimedNow } from '../delivery/claims.js';

interface WaitingReminder {
  id: number;
  person_id: number | null;
  dedupe_key: string;
  date: string;
  offset: string;
  expires_at: Date | null;
  attempts: number;
  channel_index: number;
  row_channels: unknown;
  channels: unknown;
  active: boolean;
  quiet_from: number;
  quiet_to: number;
}

/**
 * After a change of a team, its pending meeting reminders are checked one by one against the
 * team as it now is: dropped when their meeting no longer takes place at the time they were
 * planned for, their offset is gone or their person left; otherwise re-timed in place by the
 * planning rule (from the time each was meant for, so one held by quiet hours stays held) and
 * sent to the person's channels as they now are. planReminders then adds what is missing.
 */
export async function dropStaleReminders(db: Kysely<Database>, teamId: string, now: Date): Promise<void> {
  const [team] = await loadTeams(db, [teamId]);
  const waiting = await sql<WaitingReminder>`
    select d.id, d.person_id, d.dedupe_key, d.payload->>'date' as date, d.payload->>'offset' as offset, d.expires_at, d.attempts, d.channel_index,
      d.channels as row_channels, p.channels, (p.id is not null and (m.person_id is not null or exists (
        select 1 from meeting_answers a where a.team_id = d.team_id and a.occurrence_date = d.payload->>'date'
          and a.substitute_person_id = d.person_id and a.answer = 'not_attending'))) as active, ${quietHoursColumns}
    from deliveries d
    left join people p on p.id = d.person_id and p.removed_at is null
    left join memberships m on m.team_id = d.team_id and m.person_id = d.person_id and m.removed_at is null
    left join preferences q on q.person_id = d.person_id
    where d.team_id = ${teamId} and d.kind = 'reminder' and d.state = 'pending' and d.payload->>'type' = 'reminder'`.execute(db);
  if (waiting.rows.length === 0) return;
  const occurrences = new Map<string, Occurrence | undefined>();
  const occurrence = (date: string) => {
    if (!occurrences.has(date)) occurrences.set(date, team && occurrenceOn(team.meetings, date));
    return occurrences.get(date);
  };
  const offsets = new Set((team?.series.reminders as string[] | undefined) ?? []);
  const timing = reminderTimingRule(now);
  const stale: number[] = [];
  const retimed: { id: number; dueAt: Date; earliestAt: Date }[] = [];
  const rechanneled: { id: number; channels: string }[] = [];
  for (const r of waiting.rows) {
    const o = occurrence(r.date);
    const fits =
      team && o && takesPlace(o) && offsets.has(r.offset) && r.active &&
      r.expires_at !== null && new Date(r.expires_at).getTime() === o.start.toMillis() &&
      r.dedupe_key === `reminder:${teamId}:${occurrenceKey(o)}:${r.offset}:${r.person_id}`;
    if (!fits) {
      stale.push(Number(r.id));
      continue;
    }
    if (Number(r.attempts) > 0) continue;
    const start = o.start.toJSDate();
    const meant = DateTime.fromJSDate(start, { zone: team.team.timezone }).minus(parseDuration(r.offset)!).toJSDate();
    retimed.push({ id: Number(r.id), ...timing(meant, start, team.team.timezone, quietOf(r)) });
    const channels = JSON.stringify(typeof r.channels === 'string' ? JSON.parse(r.channels) : r.channels);
    const before = JSON.stringify(typeof r.row_channels === 'string' ? JSON.parse(r.row_channels) : r.row_channels);
    if (channels !== before && Number(r.channel_index) === 0) rechanneled.push({ id: Number(r.id), channels });
  }
  if (stale.length > 0) await db.deleteFrom('deliveries').where('id', 'in', stale).where('state', '=', 'pending').where(notClaimedNow()).execute();
  await setDueTimes(db, retimed, now);
  if (rechanneled.length > 0) {
    await sql`
      update deliveries d set channels = u.channels::jsonb, updated_at = ${now}
      from unnest(${rechanneled.map((r) => r.id)}::bigint[], ${rechanneled.map((r) => r.channels)}::text[]) as u(id, channels)
      where d.id = u.id and d.state = 'pending' and d.attempts = 0 and d.channel_index = 0 and ${notClaimedNow('d.id')}`.execute(db);
  }
}
