import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { currentDataVersion } from '../db/data-version-watch.js';
import type { Database } from '../db/tables.js';
import { occurrencesStartingIn, takesPlace, type Occurrence } from '../domain/occurrences.js';
import { loadTeams, type TeamWithSeries } from '../feeds/feed-data.js';

const DAY = 86_400_000;
/** Each team's meetings are expanded once a day over this window, so any moment of the day fits. */
const WINDOW_DAYS = 8 * 7 + 2;

interface Expanded {
  version: number;
  day: number;
  /** A digest of the team's rows as loaded: the same rows expand to the same meetings. */
  rows: string;
  team: TeamWithSeries;
  /** The occurrences that take place, with their real start in ms (compared on every call). */
  occurrences: { at: number; occurrence: Occurrence }[];
}

export interface UpcomingMeeting {
  occurrence: Occurrence;
  team: TeamWithSeries;
}

/**
 * The meetings of some teams that start in [from, to), as `occurrencesStartingIn` gives them. `spotkania` is the
 * busiest command, and a team's meetings are the same for every member who asks: each team
 * is loaded and expanded once per data version and day, then only filtered. The version is
 * compared on every call (src/db/data-version-watch.ts), so a meeting moved a moment ago (here
 * or on another replica) shows. A new version makes the team be read again, but expanded again
 * only when its rows differ: while background work writes (invitations, answers: each raises the
 * version), a team's meetings mostly stay as they were, and expanding them is most of the cost
 * of a first `spotkania` (issue 17). Kept whole (the same objects), since an answer is kept by
 * its occurrences' identity (src/bot/commands/meetings.ts).
 */
export class UpcomingMeetings {
  private readonly teams = new Map<string, Expanded>();

  constructor(private readonly db: Kysely<Database>) {}

  async of(teamIds: string[], from: Date, to: Date): Promise<UpcomingMeeting[]> {
    if (teamIds.length === 0) return [];
    const version = await currentDataVersion(this.db);
    const day = Math.floor(from.getTime() / DAY);
    // At this version or a later one: a call that read the version before another asker's load
    // (kept at that asker's newer version) must not count the team as gone.
    const fresh = (e: Expanded | undefined): e is Expanded => e !== undefined && e.version >= version && e.day === day;
    const missing = teamIds.filter((id) => !fresh(this.teams.get(id)));
    if (missing.length > 0) {
      if (this.teams.size > 10_000) this.teams.clear();
      const windowFrom = new Date(day * DAY - DAY);
      const windowTo = new Date((day + WINDOW_DAYS) * DAY);
      for (const team of await loadTeams(this.db, missing)) {
        // A digest, not the JSON itself: kept for up to 10,000 teams (memory, issue 17).
        const rows = createHash('sha1').update(JSON.stringify(team)).digest('base64url');
        const kept = this.teams.get(team.team.id);
        if (kept?.day === day && kept.rows === rows) {
          kept.version = Math.max(kept.version, version);
          continue;
        }
        // By the time they take place: a meeting moved or shifted to today is listed today.
        const occurrences = occurrencesStartingIn(team.meetings, windowFrom, windowTo)
          .filter(takesPlace)
          .map((occurrence) => ({ at: occurrence.start.toMillis(), occurrence }));
        this.teams.set(team.team.id, { version, day, rows, team, occurrences });
      }
    }
    const result: UpcomingMeeting[] = [];
    const [start, end] = [from.getTime(), to.getTime()];
    for (const id of teamIds.length > 1 ? [...teamIds].sort() : teamIds) {
      const expanded = this.teams.get(id);
      // A team removed meanwhile has no row any more: it has no meetings either.
      if (!fresh(expanded)) continue;
      for (const { at, occurrence } of expanded.occurrences) {
        if (at >= start && at < end) result.push({ occurrence, team: expanded.team });
      }
    }
    return result;
  }
}

const perDatabase = new WeakMap<Kysely<Database>, UpcomingMeetings>();

/** One cache per database, shared by every command and adapter of the process. */
export function upcomingMeetings(db: Kysely<Database>): UpcomingMeetings {
  let cache = perDatabase.get(db);
  if (!cache) perDatabase.set(db, (cache = new UpcomingMeetings(db)));
  return cache;
}
