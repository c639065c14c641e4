import type { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import type { ActivityRow, Database } from '../../db/tables.js';
import { zoned } from '../../domain/local-time.js';
import { occurrencesStartingIn, takesPlace } from '../../domain/occurrences.js';
import { loadActivities, loadTeams } from '../../feeds/feed-data.js';

export type ItemKind = 'meeting' | ActivityRow['kind'];
export const ITEM_KINDS: ItemKind[] = ['meeting', 'workshop', 'training', 'coaching', 'conference', 'education', 'consultation'];

/** One line of the schedule page: a team's meeting or a public activity. */
export interface UpcomingItem {
  start: DateTime;
  end: DateTime;
  /** Cancelled (in a file, in chat, or the activity): still listed, struck through, so nobody comes for nothing. */
  cancelled?: true;
  kind: ItemKind;
  /** The meeting's team; undefined for activities. */
  teamId?: string;
  teamName?: string;
  /** Activities: the teams it is open to, or 'all'. */
  audience?: string[] | 'all';
  title?: string;
  place: string;
  online: string | null;
}

export interface Upcoming {
  teams: { id: string; name: string }[];
  teamIds: ReadonlySet<string>;
  items: UpcomingItem[];
  /** Every item's end in milliseconds, ascending: how many have ended by a moment, at a glance. */
  ends: number[];
}

/**
 * Every team's meetings (moved ones at their new time, cancelled ones marked, holiday-skipped
 * ones left out: they were never planned) and every public activity, cancelled ones marked,
 * that end after `from` and start within `weeks` weeks of it, in order.
 */
export async function loadUpcoming(db: Kysely<Database>, from: Date, weeks = 8): Promise<Upcoming> {
  const until = DateTime.fromJSDate(from).plus({ weeks }).toJSDate();
  const items: UpcomingItem[] = [];
  const teams = await loadTeams(db);
  for (const { team, series, meetings } of teams) {
    // By the time they take place: a meeting moved or shifted into the weeks shown is on its new day.
    for (const o of occurrencesStartingIn(meetings, from, until).filter((o) => takesPlace(o) || o.status === 'cancelled')) {
      items.push({
        start: o.start,
        end: o.end,
        ...(takesPlace(o) ? {} : { cancelled: true as const }),
        kind: 'meeting',
        teamId: team.id,
        teamName: team.name,
        place: series.location,
        online: series.online_url,
      });
    }
  }
  const activities = (await loadActivities(db, { kind: 'public' })).filter((a) => a.ends_at > from && a.starts_at < until);
  const audience = new Map<string, string[]>();
  if (activities.length > 0) {
    const rows = await db
      .selectFrom('activity_audience')
      .select(['activity_id', 'team_id'])
      .where('activity_id', 'in', activities.map((a) => a.id))
      .execute();
    for (const r of rows) audience.set(r.activity_id, [...(audience.get(r.activity_id) ?? []), r.team_id]);
  }
  for (const a of activities) {
    items.push({
      start: zoned(a.starts_local, a.timezone),
      end: zoned(a.ends_local, a.timezone),
      ...(a.cancelled_at ? { cancelled: true as const } : {}),
      kind: a.kind,
      audience: a.audience_all ? 'all' : (audience.get(a.id) ?? []),
      title: a.title,
      place: a.location ?? '',
      online: a.online_url,
    });
  }
  items.sort((a, b) => a.start.toMillis() - b.start.toMillis() || (a.teamName ?? a.title ?? '').localeCompare(b.teamName ?? b.title ?? '', 'pl'));
  return {
    teams: teams.map(({ team }) => ({ id: team.id, name: team.name })).sort((a, b) => a.name.localeCompare(b.name, 'pl')),
    teamIds: new Set(teams.map(({ team }) => team.id)),
    items,
    ends: items.map((i) => i.end.toMillis()).sort((a, b) => a - b),
  };
}

/** How many items have ended by `now` (binary search in `ends`). */
export function endedCount(data: Pick<Upcoming, 'ends'>, now: Date): number {
  let low = 0;
  let high = data.ends.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (data.ends[mid]! <= now.getTime()) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** The team filter keeps the team's meetings and the public activities open to it. */
export function filterItems(items: UpcomingItem[], teamId: string | undefined, kind: ItemKind | undefined, now?: Date): UpcomingItem[] {
  return items.filter((item) => {
    if (now && item.end.toMillis() <= now.getTime()) return false;
    if (kind && item.kind !== kind) return false;
    if (!teamId) return true;
    if (item.kind === 'meeting') return item.teamId === teamId;
    return item.audience === 'all' || (item.audience ?? []).includes(teamId);
  });
}
