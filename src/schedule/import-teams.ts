import { chunk, changedFields } from './import-plan.js';
import type { ImportContext } from './import-context.js';
import type { TeamEntry } from './schedule-file.schema.js';

type ExceptionRow = { occurrence_date: string; cancelled: boolean; moved_to_local: string | null };

/** Teams, their meeting series and exceptions; teams of these files that are gone are marked removed. */
export async function importTeams(ctx: ImportContext): Promise<void> {
  const { trx, desired, now, summary } = ctx;
  const existing = new Map((await trx.selectFrom('teams').selectAll().execute()).map((t) => [t.id, t]));
  const series = new Map((await trx.selectFrom('meeting_series').selectAll().execute()).map((s) => [s.team_id, s]));
  const exceptions = new Map<string, ExceptionRow[]>();
  for (const e of await trx.selectFrom('meeting_exceptions').select(['team_id', 'occurrence_date', 'cancelled', 'moved_to_local']).execute()) {
    exceptions.set(e.team_id, [...(exceptions.get(e.team_id) ?? []), e]);
  }

  const newTeams = [];
  const newSeries = [];
  const newExceptions = [];
  for (const [id, { source, entry, timezone }] of desired.teams) {
    const teamValues = { name: entry.name, area: entry.area, timezone, slack_channel: entry.slack_channel ?? null, teams_channel: entry.teams_channel ?? null, report_code: entry.code ?? null, source, removed_at: null };
    const seriesValues = seriesOf(entry);
    const before = existing.get(id);
    if (!before) {
      newTeams.push({ id, ...teamValues, created_at: now, updated_at: now });
      newSeries.push({ team_id: id, ...seriesValues, reminders: JSON.stringify(seriesValues.reminders), sequence: 0, updated_at: now });
      newExceptions.push(...exceptionsOf(entry).map((e) => ({ team_id: id, ...e, created_at: now })));
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
    const exceptionChanges = diffExceptions(exceptions.get(id) ?? [], exceptionsOf(entry));
    // The team's name is in every meeting's title, so renaming it is a change of the series too.
    if (seriesChanges.length > 0 || exceptionChanges.length > 0 || teamChanges.includes('name')) {
      await trx
        .updateTable('meeting_series')
        .set({ ...seriesValues, reminders: JSON.stringify(seriesValues.reminders), sequence: oldSeries.sequence + 1, updated_at: now })
        .where('team_id', '=', id)
        .execute();
      await trx.deleteFrom('meeting_exceptions').where('team_id', '=', id).execute();
      newExceptions.push(...exceptionsOf(entry).map((e) => ({ team_id: id, ...e, created_at: now })));
      summary.meetings.updated++;
      if (seriesChanges.length > 0) ctx.changes.push({ kind: 'series_changed', team_id: id, details: JSON.stringify({ fields: seriesChanges }) });
      for (const change of exceptionChanges) ctx.changes.push({ ...change, team_id: id });
    }
  }
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
  return entry.meetings.except.map((e) => ({ occurrence_date: e.date, cancelled: e.cancelled === true, moved_to_local: e.moved_to ?? null }));
}

/** One change record per occurrence whose exception was added, altered or taken back. */
function diffExceptions(before: ExceptionRow[], after: ExceptionRow[]) {
  const old = new Map(before.map((e) => [e.occurrence_date, e]));
  const now = new Map(after.map((e) => [e.occurrence_date, e]));
  const changes: { kind: 'meeting_cancelled' | 'meeting_moved' | 'series_changed'; occurrence_date: string; details: string }[] = [];
  for (const [date, e] of now) {
    const was = old.get(date);
    if (was && was.cancelled === e.cancelled && was.moved_to_local === e.moved_to_local) continue;
    if (e.cancelled) changes.push({ kind: 'meeting_cancelled', occurrence_date: date, details: '{}' });
    else changes.push({ kind: 'meeting_moved', occurrence_date: date, details: JSON.stringify({ from: was?.moved_to_local ?? null, to: e.moved_to_local }) });
  }
  for (const date of old.keys()) {
    if (!now.has(date)) changes.push({ kind: 'series_changed', occurrence_date: date, details: JSON.stringify({ restored: true }) });
  }
  return changes;
}
