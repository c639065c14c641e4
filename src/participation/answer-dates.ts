import type { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import { readDate } from '../bot/commands/change-meeting.js';
import { fold } from '../bot/parse-command.js';
import type { Database } from '../db/tables.js';
import { occurrenceForDay } from '../domain/meeting-moves.js';
import { occurrencesStartingIn, takesPlace, type Occurrence } from '../domain/occurrences.js';
import { loadTeams, type TeamWithSeries } from '../feeds/feed-data.js';

const RELATIVE: Record<string, number> = { dzis: 0, dzisiaj: 0, today: 0, jutro: 1, tomorrow: 1, pojutrze: 2 };

/**
 * A day as people type it in chat: what `spotkania odwołaj` reads (2027-01-12, 12.01.2027), and
 * also "12.01" (the next such day that exists: this year, the next, or the next leap year for "29.02"), "dziś"/"today", "jutro"/"tomorrow".
 * The relative words and the year of "12.01" are read in the given zone.
 */
export function readAnswerDate(text: string, now: Date, zone: string): string | undefined {
  const full = readDate(text);
  if (full) return full;
  const today = DateTime.fromJSDate(now, { zone }).startOf('day');
  const relative = RELATIVE[fold(text)];
  if (relative !== undefined) return today.plus({ days: relative }).toISODate()!;
  const short = /^(\d{1,2})\.(\d{1,2})\.?$/.exec(text);
  if (!short) return undefined;
  // The next such day that exists: "29.02" after February of a common year is the next leap year's.
  for (let year = today.year; year <= today.year + 8; year++) {
    const day = DateTime.fromObject({ year, month: Number(short[2]), day: Number(short[1]) }, { zone });
    if (day.isValid && day >= today) return day.toISODate()!;
  }
  return undefined;
}

/** Looks like a date (so the words after it are a reason, not the date). */
export const looksLikeDate = (word: string): boolean => /^\d/.test(word) || RELATIVE[fold(word)] !== undefined;

export interface FoundOccurrence {
  team: TeamWithSeries;
  occurrence: Occurrence;
}

/**
 * The meetings of these teams on a day: the one whose rule gives that date, or one moved to it
 * (occurrenceForDay). Without a day, each team's next meeting that has not begun; of those,
 * the soonest.
 */
export async function meetingsOn(db: Kysely<Database>, teamIds: string[], day: string | undefined, now: Date): Promise<FoundOccurrence[]> {
  const teams = await loadTeams(db, teamIds);
  if (day) {
    return teams.flatMap((team) => {
      const occurrence = occurrenceForDay(team.meetings, day);
      return occurrence && takesPlace(occurrence) ? [{ team, occurrence }] : [];
    });
  }
  const until = new Date(now.getTime() + 400 * 86_400_000);
  const next = teams
    .map((team) => ({ team, occurrence: occurrencesStartingIn(team.meetings, now, until).find(takesPlace) }))
    .filter((f): f is FoundOccurrence => f.occurrence !== undefined)
    .sort((a, b) => a.occurrence.start.toMillis() - b.occurrence.start.toMillis());
  return next.slice(0, 1);
}
