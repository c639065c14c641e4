import { sql, type Kysely, type Selectable } from 'kysely';
import { DateTime } from 'luxon';
import type { Database, DeliveryRow, ScheduleChangeTable } from '../db/tables.js';
import { zoned } from '../domain/local-time.js';
import { occurrenceOn, takesPlace } from '../domain/occurrences.js';
import { NOTICE_KINDS } from '../schedule/meeting-notices.js';
import { loadTeams } from '../feeds/feed-data.js';
import { formatDateTime } from '../i18n/format.js';
import type { Language } from '../i18n/messages.js';
import type { Message } from '../ports/channel.port.js';
import { reminderTexts } from './reminder-texts.js';

/**
 * The notice of a moved, cancelled or restored meeting, as things stand when it is sent. A
 * notice overtaken by a later change of the same occurrence says nothing (the later one tells
 * the news), and so does one whose meeting is back at the time it had before the change.
 */
export async function renderChangeNotice(db: Kysely<Database>, row: DeliveryRow, language: Language, publicUrl: string): Promise<Message | undefined> {
  const changeId = Number((row.payload as { changeId: string }).changeId);
  const change = await db.selectFrom('schedule_changes').selectAll().where('id', '=', changeId).executeTakeFirst();
  if (!change?.team_id || !change.occurrence_date) return undefined;
  const later = await db
    .selectFrom('schedule_changes')
    .select('id')
    .where('team_id', '=', change.team_id)
    .where('occurrence_date', '=', change.occurrence_date)
    .where('kind', 'in', [...NOTICE_KINDS] as ScheduleChangeTable['kind'][])
    .where('id', '>', change.id)
    .executeTakeFirst();
  if (later) return undefined;
  const [team] = await loadTeams(db, [change.team_id]);
  if (!team) return undefined;
  const occurrence = occurrenceOn(team.meetings, change.occurrence_date);
  const t = reminderTexts[language];
  const from = await lastHeardFrom(db, change, row.person_id);
  const wasAt = from ? DateTime.fromISO(from, { zone: team.team.timezone }) : (occurrence?.originalStart ?? zoned(`${change.occurrence_date}T00:00`, team.team.timezone));
  const was = formatDateTime(wasAt, language);
  const links = [{ label: t.calendarLabel, url: `${publicUrl}/calendars/teams/${team.team.id}.ics` }];
  if (!occurrence || !takesPlace(occurrence)) {
    if (from === null) return undefined;
    return { language, title: t.cancelledTitle(team.team.name, was), text: t.cancelledText(team.team.name, was), links };
  }
  const now = formatDateTime(occurrence.start, language);
  const fields = [{ label: t.whenLabel, value: now }];
  if (!from && change.kind === 'meeting_restored') {
    return { language, title: t.restoredTitle(team.team.name, now), text: t.restoredText(team.team.name, now, team.series.location), fields, links };
  }
  if (from && wasAt.toMillis() === occurrence.start.toMillis()) return undefined;
  return { language, title: t.movedTitle(team.team.name, was), text: t.movedText(team.team.name, was, now, team.series.location), fields, links };
}

/**
 * The time the recipient last heard of, as `from`: the change's own `from`, unless earlier notices
 * of the same occurrence never reached them (overtaken, so cancelled): then the `from` of the
 * earliest of those. Moved and moved back before any notice went out is then no news at all,
 * rather than "moved from" a time the members never heard of.
 */
async function lastHeardFrom(db: Kysely<Database>, change: Selectable<ScheduleChangeTable>, personId: number | null): Promise<string | null | undefined> {
  const own = (change.details as { from?: string | null }).from;
  if (personId === null) return own;
  const unheard = await db
    .selectFrom('schedule_changes')
    .innerJoin('deliveries', (j) => j.on('deliveries.dedupe_key', '=', sql<string>`'notice:' || cast(schedule_changes.id as text) || ':' || ${String(personId)}`))
    .select('schedule_changes.details')
    .where('schedule_changes.team_id', '=', change.team_id)
    .where('schedule_changes.occurrence_date', '=', change.occurrence_date)
    .where('schedule_changes.kind', 'in', [...NOTICE_KINDS] as ScheduleChangeTable['kind'][])
    .where('schedule_changes.id', '<', change.id)
    .where('deliveries.state', '<>', 'sent')
    .orderBy('schedule_changes.id')
    .executeTakeFirst();
  return unheard ? (unheard.details as { from?: string | null }).from : own;
}
