import type { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import type { Clock } from '../clock.js';
import type { Database } from '../db/tables.js';
import { enqueue, type PlannedDelivery } from '../delivery/outbox.js';
import { parseDuration } from '../domain/local-time.js';
import { expandSeries, takesPlace } from '../domain/occurrences.js';
import { loadTeams } from '../feeds/feed-data.js';
import type { ChannelKind } from '../ports/channel.port.js';
import { DEFAULT_QUIET_HOURS, outsideQuietHours, type QuietHours } from './quiet-hours.js';

export const DEFAULT_HORIZON_DAYS = 60;

/** What a reminder row carries: a reference, rendered when it is sent (see reminder-message.ts). */
export interface ReminderRef {
  [key: string]: string;
  type: 'reminder';
  teamId: string;
  date: string;
  offset: string;
}

/**
 * Plans one reminder per meeting occurrence, member and offset over the horizon. Keys make it
 * idempotent: planning twice adds nothing. Reminders already due are not planned late.
 */
export async function planReminders(
  db: Kysely<Database>,
  options: { clock: Clock; horizonDays?: number; teamIds?: string[] },
): Promise<number> {
  const now = options.clock.now();
  const until = DateTime.fromJSDate(now).plus({ days: options.horizonDays ?? DEFAULT_HORIZON_DAYS }).toJSDate();
  const teams = await loadTeams(db, options.teamIds);
  if (teams.length === 0) return 0;
  const members = await db
    .selectFrom('memberships')
    .innerJoin('people', 'people.id', 'memberships.person_id')
    .select(['memberships.team_id', 'people.id', 'people.channels'])
    .where('memberships.removed_at', 'is', null)
    .where('people.removed_at', 'is', null)
    .where('memberships.team_id', 'in', teams.map((t) => t.team.id))
    .execute();
  const quiet = new Map<number, QuietHours>();
  const ids = [...new Set(members.map((m) => m.id))];
  for (let i = 0; i < ids.length; i += 5000) {
    const prefs = await db.selectFrom('preferences').select(['person_id', 'quiet_from', 'quiet_to']).where('person_id', 'in', ids.slice(i, i + 5000)).execute();
    for (const p of prefs) quiet.set(p.person_id, { from: p.quiet_from, to: p.quiet_to });
  }
  const byTeam = new Map<string, typeof members>();
  for (const m of members) byTeam.set(m.team_id, [...(byTeam.get(m.team_id) ?? []), m]);

  let added = 0;
  let batch: PlannedDelivery[] = [];
  for (const { team, series, meetings } of teams) {
    const offsets = (series.reminders as string[]).map((o) => [o, parseDuration(o)!] as const);
    for (const occurrence of expandSeries(meetings, now, until).filter(takesPlace)) {
      const start = occurrence.start.toJSDate();
      for (const [offset, duration] of offsets) {
        const planned = occurrence.start.minus(duration).toJSDate();
        if (planned.getTime() < now.getTime()) continue;
        const defaultDue = outsideQuietHours(planned, start, team.timezone);
        const ref: ReminderRef = { type: 'reminder', teamId: team.id, date: occurrence.date, offset };
        for (const member of byTeam.get(team.id) ?? []) {
          const own = quiet.get(member.id);
          const dueAt = own && (own.from !== DEFAULT_QUIET_HOURS.from || own.to !== DEFAULT_QUIET_HOURS.to) ? outsideQuietHours(planned, start, team.timezone, own) : defaultDue;
          batch.push({
            key: `reminder:${team.id}:${occurrence.date}:${offset}:${member.id}`,
            kind: 'reminder',
            personId: member.id,
            teamId: team.id,
            channels: member.channels as ChannelKind[],
            payload: ref,
            dueAt,
            expiresAt: start,
          });
        }
        if (batch.length >= 5000) {
          added += await enqueue(db, batch);
          batch = [];
        }
      }
    }
  }
  return added + (await enqueue(db, batch));
}

/** A team's schedule changed: its pending reminders are thrown away and planned again. */
export async function replanTeam(db: Kysely<Database>, teamId: string, clock: Clock, horizonDays?: number): Promise<number> {
  await db.deleteFrom('deliveries').where('team_id', '=', teamId).where('kind', '=', 'reminder').where('state', '=', 'pending').execute();
  return planReminders(db, { clock, teamIds: [teamId], ...(horizonDays ? { horizonDays } : {}) });
}

/** A person's quiet hours changed: their pending reminders are planned again. */
export async function replanPerson(db: Kysely<Database>, personId: number, clock: Clock): Promise<number> {
  await db.deleteFrom('deliveries').where('person_id', '=', personId).where('kind', '=', 'reminder').where('state', '=', 'pending').execute();
  const teams = await db.selectFrom('memberships').select('team_id').where('person_id', '=', personId).where('removed_at', 'is', null).execute();
  return teams.length ? planReminders(db, { clock, teamIds: teams.map((t) => t.team_id) }) : 0;
}
