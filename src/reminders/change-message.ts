import type { Kysely } from 'kysely';
import type { Database, DeliveryRow } from '../db/tables.js';
import { zoned } from '../domain/local-time.js';
import { occurrenceOn } from '../domain/occurrences.js';
import { loadTeams } from '../feeds/feed-data.js';
import { formatDateTime } from '../i18n/format.js';
import type { Language } from '../i18n/messages.js';
import type { Message } from '../ports/channel.port.js';
import { reminderTexts } from './reminder-texts.js';

/** The notice of a moved or cancelled meeting, as things stand when it is sent. */
export async function renderChangeNotice(db: Kysely<Database>, row: DeliveryRow, language: Language, publicUrl: string): Promise<Message | undefined> {
  const changeId = Number((row.payload as { changeId: string }).changeId);
  const change = await db.selectFrom('schedule_changes').selectAll().where('id', '=', changeId).executeTakeFirst();
  if (!change?.team_id || !change.occurrence_date) return undefined;
  const [team] = await loadTeams(db, [change.team_id]);
  if (!team) return undefined;
  const occurrence = occurrenceOn(team.meetings, change.occurrence_date);
  const t = reminderTexts[language];
  const was = formatDateTime(occurrence?.originalStart ?? zoned(`${change.occurrence_date}T00:00`, team.team.timezone), language);
  const links = [{ label: t.calendarLabel, url: `${publicUrl}/calendars/teams/${team.team.id}.ics` }];
  if (!occurrence || occurrence.status === 'cancelled' || occurrence.status === 'holiday_skipped') {
    return { language, title: t.cancelledTitle(team.team.name, was), text: t.cancelledText(team.team.name, was), links };
  }
  const now = formatDateTime(occurrence.start, language);
  return {
    language,
    title: t.movedTitle(team.team.name, was),
    text: t.movedText(team.team.name, was, now, team.series.location),
    fields: [{ label: t.whenLabel, value: now }],
    links,
  };
}
