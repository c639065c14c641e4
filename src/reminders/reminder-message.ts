import type { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import type { Database, DeliveryRow } from '../db/tables.js';
import { parseDuration } from '../domain/local-time.js';
import { occurrenceOn, takesPlace } from '../domain/occurrences.js';
import { loadTeams } from '../feeds/feed-data.js';
import { formatDateTime } from '../i18n/format.js';
import type { Language } from '../i18n/messages.js';
import type { Message } from '../ports/channel.port.js';
import type { ReminderRef } from './plan-reminders.js';
import { reminderTexts } from './reminder-texts.js';

/** "za 2 dni", "jutro", "za 2 godziny": Intl chooses the words and the plural form. */
export function inHowLong(offset: string, language: Language): string {
  const duration = parseDuration(offset)!;
  const relative = new Intl.RelativeTimeFormat(language === 'pl' ? 'pl-PL' : 'en-GB', { numeric: 'auto' });
  const hours = duration.as('hours');
  if (hours >= 24 && Number.isInteger(hours / 24)) return relative.format(hours / 24, 'day');
  if (hours >= 1 && Number.isInteger(hours)) return relative.format(hours, 'hour');
  return relative.format(Math.round(duration.as('minutes')), 'minute');
}

/**
 * How long until the meeting, from the moment the message is sent: a reminder held by quiet
 * hours, or sent late, must not say "za 2 godziny" an hour before. Whole calendar days in the
 * meeting's zone ("jutro", "za 7 dni"), else hours, else minutes.
 */
export function inHowLongUntil(start: DateTime, sentAt: Date, language: Language): string {
  const relative = new Intl.RelativeTimeFormat(language === 'pl' ? 'pl-PL' : 'en-GB', { numeric: 'auto' });
  const now = DateTime.fromJSDate(sentAt, { zone: start.zone });
  const days = Math.round(start.startOf('day').diff(now.startOf('day'), 'days').days);
  if (days >= 1) return relative.format(days, 'day');
  const minutes = Math.max(1, Math.round((start.toMillis() - sentAt.getTime()) / 60_000));
  return minutes >= 60 ? relative.format(Math.round(minutes / 60), 'hour') : relative.format(minutes, 'minute');
}

/** The reminder as it is when sent: the meeting's current time and place, in the person's language. */
export async function renderReminder(db: Kysely<Database>, row: DeliveryRow, language: Language, publicUrl: string): Promise<Message | undefined> {
  const ref = row.payload as ReminderRef;
  const [team] = await loadTeams(db, [ref.teamId]);
  if (!team) return undefined;
  const occurrence = occurrenceOn(team.meetings, ref.date);
  if (!occurrence || !takesPlace(occurrence)) return undefined;
  const coordinators = await db
    .selectFrom('memberships')
    .innerJoin('people', 'people.id', 'memberships.person_id')
    .select(['people.name', 'people.email'])
    .where('memberships.team_id', '=', ref.teamId)
    .where('memberships.role', '=', 'coordinator')
    .where('memberships.removed_at', 'is', null)
    .execute();
  const t = reminderTexts[language];
  const when = formatDateTime(occurrence.start, language);
  const contact = coordinators.map((c) => `${c.name} (${c.email})`).join(', ');
  return {
    language,
    title: t.title(team.team.name, inHowLongUntil(occurrence.start, row.claimed_at ?? row.due_at, language)),
    text: t.text(team.team.name, when, team.series.location),
    fields: [
      { label: t.whenLabel, value: when },
      { label: t.whereLabel, value: team.series.location },
      ...(contact ? [{ label: t.absenceLabel, value: contact }] : []),
    ],
    links: [
      ...(team.series.online_url ? [{ label: t.onlineLabel, url: team.series.online_url }] : []),
      { label: t.calendarLabel, url: `${publicUrl}/calendars/teams/${ref.teamId}.ics` },
    ],
  };
}
