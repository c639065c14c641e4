import { DateTime } from 'luxon';
import type { Insertable } from 'kysely';
import type { ScheduleChangeTable } from '../db/tables.js';
import { clashWith } from '../domain/meeting-moves.js';
import { zoned } from '../domain/local-time.js';
import { occurrenceOn, takesPlace, type MeetingSeries } from '../domain/occurrences.js';
import type { ScheduleProblem } from './load-schedule.js';
import type { TeamEntry } from './schedule-file.schema.js';
import type { ScheduleProblemTexts } from '../i18n/schedule-problem-messages.js';

export interface ExceptionRow {
  occurrence_date: string;
  cancelled: boolean;
  moved_to_local: string | null;
  chat_changed_at: Date | null;
  file_cancelled: boolean | null;
  file_moved_to_local: string | null;
  file_unknown: boolean;
}

export type FileException = Pick<ExceptionRow, 'cancelled' | 'moved_to_local'>;

/**
 * What the file said of a stored exception's occurrence: the row itself, or for a chat change
 * what it remembers. A chat change from before migration 0017 remembers nothing (migration
 * 0019): what the file says now is taken as what it said then, so the change stands.
 */
export function fileSideOf(row: ExceptionRow, fileNow: ReadonlyMap<string, FileException>): [string, FileException][] {
  if (!row.chat_changed_at) return [[row.occurrence_date, row]];
  if (row.file_unknown) {
    const now = fileNow.get(row.occurrence_date);
    return now ? [[row.occurrence_date, now]] : [];
  }
  if (row.file_cancelled === null) return [];
  return [[row.occurrence_date, { cancelled: row.file_cancelled, moved_to_local: row.file_moved_to_local }]];
}

/** A kept chat change that now remembers what the file says (for one whose file word was unknown). */
export function rememberingFile(row: ExceptionRow, fileNow: ReadonlyMap<string, FileException>): ExceptionRow {
  if (!row.file_unknown) return row;
  const now = fileNow.get(row.occurrence_date);
  return { ...row, file_cancelled: now?.cancelled ?? null, file_moved_to_local: now?.moved_to_local ?? null, file_unknown: false };
}

export interface KeptChatChange {
  teamId: string;
  date: string;
  cancelled: boolean;
  movedTo: string | null;
}

/** The chat changes an import kept, for its report: those of meetings not yet past. */
export function keptChatChanges(teamId: string, rows: ExceptionRow[], now: Date): KeptChatChange[] {
  const today = DateTime.fromJSDate(now, { zone: 'UTC' }).minus({ days: 1 }).toISODate()!;
  return rows
    .filter((r) => (r.moved_to_local ?? r.occurrence_date) >= today || r.occurrence_date >= today)
    .sort((a, b) => a.occurrence_date.localeCompare(b.occurrence_date))
    .map((r) => ({ teamId, date: r.occurrence_date, cancelled: r.cancelled, movedTo: r.moved_to_local }));
}

/**
 * One record per occurrence whose time changed between the old and the new series (cancelled,
 * moved, or taking place after all), among the dates whose exception the file changed. An
 * occurrence whose time is the same gets none, so nobody hears "new date: the same date"; one
 * in the past gets none either.
 */
export function occurrenceChanges(before: MeetingSeries, after: MeetingSeries, dates: string[], now: Date): Omit<Insertable<ScheduleChangeTable>, 'team_id'>[] {
  const changes: Omit<Insertable<ScheduleChangeTable>, 'team_id'>[] = [];
  for (const date of dates) {
    const was = occurrenceOn(before, date);
    const is = occurrenceOn(after, date);
    const from = was && takesPlace(was) ? was.start : undefined;
    const to = is && takesPlace(is) ? is.start : undefined;
    if (from?.toMillis() === to?.toMillis()) continue;
    if (Math.max(from?.toMillis() ?? 0, to?.toMillis() ?? 0) <= now.getTime()) continue;
    const kind = !to ? 'meeting_cancelled' : !from ? 'meeting_restored' : 'meeting_moved';
    changes.push({ kind, occurrence_date: date, details: JSON.stringify({ by: 'import', from: from?.toUTC().toISO() ?? null, to: to?.toUTC().toISO() ?? null }) });
  }
  return changes;
}

/** Moved meetings (from the file or kept from chat) that would overlap another meeting of the series. */
export function meetingProblems(t: ScheduleProblemTexts, series: MeetingSeries, chat: ExceptionRow[], file: string, entry: TeamEntry, index: number): ScheduleProblem[] {
  const fromChat = new Set(chat.map((r) => r.occurrence_date));
  const problems: ScheduleProblem[] = [];
  for (const e of series.exceptions) {
    if (!e.movedToLocal) continue;
    const start = zoned(e.movedToLocal, series.timezone);
    const other = clashWith(series, e.date, start);
    if (!other) continue;
    const otherAt = other.start.setZone(series.timezone).toFormat("yyyy-MM-dd'T'HH:mm");
    const what = fromChat.has(e.date) ? t.chatMoveOverlaps(e.date, e.movedToLocal, otherAt) : t.movedOverlaps(e.date, e.movedToLocal, otherAt);
    const at = entry.meetings.except.findIndex((x) => x.date === e.date);
    const path = fromChat.has(e.date) || at < 0 ? `teams[${index}].meetings.except` : `teams[${index}].meetings.except[${at}].moved_to`;
    problems.push({ file, path, message: what });
  }
  return problems;
}
