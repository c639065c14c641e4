import { chunk, changedFields } from './import-plan.js';
import type { ImportContext } from './import-context.js';
import type { TeamEntry } from './schedule-file.schema.js';
import { fileSideOf, keptChatChanges, rememberingFile, meetingProblems, occurrenceChanges, type ExceptionRow, type FileException } from './meeting-exceptions.js';
import { toMeetingSeries } from '../feeds/feed-data.js';

/**
 * Teams, their meeting series and exceptions; teams of these files that are gone are marked
 * removed. A meeting changed in chat stays as chat left it until the file itself changes that
 * occurrence (docs/meetings.md); members hear of an occurrence only when its time changed.
 */
export async function importTeams(ctx: ImportContext): Promise<void> {
  const { trx, desired, now, summary } = ctx;
  const existing = new Map((await trx.selectFrom('teams').selectAll().execute()).map((t) => [t.id, t]));
  const series = new Map((await trx.selectFrom('meeting_series').selectAll().execute()).map((s) => [s.team_id, s]));
  const exceptions = new Map<string, ExceptionRow[]>();
  for (const e of await trx
    .selectFrom('meeting_exceptions')
    .select(['team_id', 'occurrence_date', 'cancelled', 'moved_to_local', 'chat_changed_at', 'file_cancelled', 'file_moved_to_local', 'file_unknown'])
    .execute()) {
    exceptions.set(e.team_id, [...(exceptions.get(e.team_id) ?? []), e]);
  }

  const newTeams = [];
  const newSeries = [];
  const newExceptions = [];
  const { problems, t } = ctx;
  const problemsBefore = problems.length;
  for (const [id, { source, file, entry, timezone, index }] of desired.teams) {
    const teamValues = { name: entry.name, area: entry.area, timezone, slack_channel: entry.slack_channel ?? null, teams_channel: entry.teams_channel ?? null, report_code: entry.code ?? null, source, removed_at: null };
    const seriesValues = seriesOf(entry);
    const before = existing.get(id);
    const fileAfter = exceptionsOf(entry);
    if (!before) {
      problems.push(...meetingProblems(t, toMeetingSeries({ id, timezone }, seriesValues, fileAfter.map(asException)), [], file, entry, index));
      newTeams.push({ id, ...teamValues, created_at: now, updated_at: now });
      newSeries.push({ team_id: id, ...seriesValues, reminders: JSON.stringify(seriesValues.reminders), sequence: 0, updated_at: now });
      newExceptions.push(...fileAfter.map((e) => ({ team_id: id, ...e, created_at: now })));
      summary.teams.added++;
      summary.meetings.added++;
      continue;
    }
    const teamChanges = changedFields(before, teamValues);
    if (teamChanges.length > 0) {
      await trx.updateTable('teams').set({ ...teamValues, updated_at: now }).where('id', '=', id).execute();
      summary.teams.updated++;
    }
    const oldSeries = series.get(id)!;
    const seriesChanges = changedFields(oldSeries, seriesValues);
    const stored = exceptions.get(id) ?? [];
    const fileNow = new Map(fileAfter.map((e) => [e.occurrence_date, e]));
    const fileBefore = new Map(stored.flatMap((r) => fileSideOf(r, fileNow)));
    const changedDates = [...new Set([...fileBefore.keys(), ...fileNow.keys()])].filter((d) => !sameFileException(fileBefore.get(d), fileNow.get(d))).sort();
    // Chat changes of occurrences the file did not change stand; the file decides the rest.
    const kept = stored.filter((r) => r.chat_changed_at && !changedDates.includes(r.occurrence_date));
    const chat = kept.map((r) => rememberingFile(r, fileNow));
    const chatDates = new Set(chat.map((r) => r.occurrence_date));
    const rows: ExceptionRow[] = [...fileAfter.filter((e) => !chatDates.has(e.occurrence_date)), ...chat];
    const newMeetings = toMeetingSeries({ id, timezone }, seriesValues, rows.map(asException));
    summary.keptChatChanges.push(...keptChatChanges(id, chat, now));
    // The team's name is in every meeting's title, so renaming it is a change of the series too.
    if (seriesChanges.length > 0 || changedDates.length > 0 || teamChanges.includes('name')) {
      problems.push(...meetingProblems(t, newMeetings, chat, file, entry, index));
      await trx
        .updateTable('meeting_series')
        .set({ ...seriesValues, reminders: JSON.stringify(seriesValues.reminders), sequence: oldSeries.sequence + 1, updated_at: now })
        .where('team_id', '=', id)
        .execute();
      await trx.deleteFrom('meeting_exceptions').where('team_id', '=', id).execute();
      newExceptions.push(...rows.map((e) => ({ team_id: id, ...e, created_at: now })));
      summary.meetings.updated++;
      if (seriesChanges.length > 0) ctx.changes.push({ kind: 'series_changed', team_id: id, details: JSON.stringify({ fields: seriesChanges }) });
      const oldMeetings = toMeetingSeries({ id, timezone: before.timezone }, oldSeries, stored.map(asException));
      for (const change of occurrenceChanges(oldMeetings, newMeetings, changedDates, now)) ctx.changes.push({ ...change, team_id: id });
    } else {
      // Nothing else to write, but a chat change whose file word was unknown remembers it from now on.
      await rememberFileSides(ctx, id, chat.filter((_, i) => kept[i]!.file_unknown));
    }
  }
  // Overlaps are problems of their own: the caller reports them with the others and writes nothing.
  if (problems.length > problemsBefore) return;
  for (const rows of chunk(newTeams)) await trx.insertInto('teams').values(rows).execute();
  for (const rows of chunk(newSeries)) await trx.insertInto('meeting_series').values(rows).execute();
  for (const rows of chunk(newExceptions)) await trx.insertInto('meeting_exceptions').values(rows).execute();

  for (const team of existing.values()) {
    if (team.removed_at || desired.teams.has(team.id) || !desired.sources.has(team.source)) continue;
    await trx.updateTable('teams').set({ removed_at: now, updated_at: now }).where('id', '=', team.id).execute();
    ctx.changes.push({ kind: 'team_removed', team_id: team.id, details: JSON.stringify({ name: team.name }) });
    summary.teams.removed++;
  }
}

async function rememberFileSides({ trx }: ImportContext, teamId: string, rows: ExceptionRow[]): Promise<void> {
  for (const r of rows) {
    await trx
      .updateTable('meeting_exceptions')
      .set({ file_cancelled: r.file_cancelled, file_moved_to_local: r.file_moved_to_local, file_unknown: false })
      .where('team_id', '=', teamId)
      .where('occurrence_date', '=', r.occurrence_date)
      .execute();
  }
}

function seriesOf(entry: TeamEntry) {
  const m = entry.meetings;
  return {
    rrule: m.rrule,
    starts_local: m.starts,
    duration: m.duration,
    location: m.location,
    online_url: m.online ?? null,
    reminders: m.reminders,
    on_holiday: m.on_holiday,
    checkin_at: m.checkin_at ?? null,
  };
}

function exceptionsOf(entry: TeamEntry): ExceptionRow[] {
  return entry.meetings.except.map((e) => ({
    occurrence_date: e.date,
    cancelled: e.cancelled === true,
    moved_to_local: e.moved_to ?? null,
    chat_changed_at: null,
    file_cancelled: null,
    file_moved_to_local: null,
    file_unknown: false,
  }));
}

const asException = (e: ExceptionRow) => ({ date: e.occurrence_date, cancelled: e.cancelled, movedToLocal: e.moved_to_local });

function sameFileException(a: FileException | undefined, b: FileException | undefined): boolean {
  if (!a || !b) return a === b;
  return a.cancelled === b.cancelled && a.moved_to_local === b.moved_to_local;
}
