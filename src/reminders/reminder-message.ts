import type { Kysely } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import { DateTime } from 'luxon';
import { currentDataVersion } from '../db/data-version-watch.js';
import type { Database, DeliveryRow } from '../db/tables.js';
import { parseDuration } from '../domain/local-time.js';
import { occurrenceOn, takesPlace, type MeetingSeries, type Occurrence } from '../domain/occurrences.js';
import type { RenderBatch } from '../delivery/batch-context.js';
import { teamsWithExceptionsQuery, toTeamWithSeries, type TeamWithSeries } from '../feeds/feed-data.js';
import { formatDateTime } from '../i18n/format.js';
import type { Language } from '../i18n/messages.js';
import type { Message } from '../ports/channel.port.js';
import type { ReminderRef } from './plan-reminders.js';
import { reminderTexts } from './reminder-texts.js';

/** "za 2 dni", "jutro", "za 2 godziny": Intl chooses the words and the plural form. */
export function inHowLong(offset: string, language: Language): string {
  const duration = parseDuration(offset)!;
  const relative = relativeFormat(language);
  const hours = duration.as('hours');
  if (hours >= 24 && Number.isInteger(hours / 24)) return relative.format(hours / 24, 'day');
  if (hours >= 1 && Number.isInteger(hours)) return relative.format(hours, 'hour');
  return relative.format(Math.round(duration.as('minutes')), 'minute');
}

const relativeFormats = new Map<Language, Intl.RelativeTimeFormat>();

/** One formatter per language for the life of the process (making one costs more than using it). */
function relativeFormat(language: Language): Intl.RelativeTimeFormat {
  let format = relativeFormats.get(language);
  if (!format) relativeFormats.set(language, (format = new Intl.RelativeTimeFormat(language === 'pl' ? 'pl-PL' : 'en-GB', { numeric: 'auto' })));
  return format;
}

const DAY_MS = 86_400_000;

/** The day number (days since 1970-01-01) of a proleptic Gregorian date, without Date.UTC's two-digit years. */
function dayNumber(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/**
 * How long until the meeting, from the moment the message is sent: a reminder held by quiet
 * hours, or sent late, must not say "za 2 godziny" an hour before. Whole calendar days in the
 * meeting's zone ("jutro", "za 7 dni"), else hours, else minutes. The calendar days are the
 * difference of the two local dates, counted from the zone's offset at the sending instant
 * (what luxon's startOf('day') and diff gave, at a fraction of the cost: a lump renders it
 * for every team and language; test/reminders/in-how-long-until.property.test.ts keeps the
 * luxon form as the oracle).
 */
export function inHowLongUntil(start: DateTime, sentAt: Date, language: Language): string {
  const relative = relativeFormat(language);
  const sent = sentAt.getTime();
  const offset = start.isValid ? start.zone.offset(sent) : NaN;
  if (!Number.isFinite(offset) || !Number.isFinite(sent)) return inHowLongUntilByLuxon(start, sentAt, relative);
  // The sending instant's local wall time, written as if it were UTC: its whole days are its date.
  const days = dayNumber(start.year, start.month, start.day) - Math.floor((sent + offset * 60_000) / DAY_MS);
  if (days >= 1) return relative.format(days, 'day');
  const minutes = Math.max(1, Math.round((start.toMillis() - sent) / 60_000));
  return minutes >= 60 ? relative.format(Math.round(minutes / 60), 'hour') : relative.format(minutes, 'minute');
}

/** The luxon form, for what the arithmetic above does not cover (an invalid start or instant). */
function inHowLongUntilByLuxon(start: DateTime, sentAt: Date, relative: Intl.RelativeTimeFormat): string {
  const now = DateTime.fromJSDate(sentAt, { zone: start.zone });
  const days = Math.round(start.startOf('day').diff(now.startOf('day'), 'days').days);
  if (days >= 1) return relative.format(days, 'day');
  const minutes = Math.max(1, Math.round((start.toMillis() - sentAt.getTime()) / 60_000));
  return minutes >= 60 ? relative.format(Math.round(minutes / 60), 'hour') : relative.format(minutes, 'minute');
}

/** What the shared part of a batch's meeting reminders is made of: their teams and coordinators. */
export interface ReminderTeams {
  teams: Map<string, TeamWithSeries>;
  coordinators: Map<string, { name: string; email: string }[]>;
}

/**
 * Every team the rows' reminders are for, with its series, exceptions and coordinators, in one
 * statement whatever their number: each team's exceptions (in date order) and coordinators (in
 * person order) come as JSON arrays in its row. A batch of a lump holds reminders of dozens of
 * teams; and after the data version changed they are all read again, once per version
 * (renderReminder): in the conference hours that was every few seconds, three statements a team
 * before (16,641 such loads in the national week), then one a meeting.
 */
export async function loadReminderTeams(db: Kysely<Database>, rows: readonly DeliveryRow[]): Promise<ReminderTeams> {
  const ids = [...new Set(rows.filter((r) => (r.payload as { type?: string }).type === 'reminder').map((r) => (r.payload as ReminderRef).teamId))];
  const out: ReminderTeams = { teams: new Map(), coordinators: new Map() };
  if (ids.length === 0) return out;
  const teams = await teamsWithExceptionsQuery(db, ids)
    .select((eb) =>
      jsonArrayFrom(
        eb
          .selectFrom('memberships')
          .innerJoin('people', 'people.id', 'memberships.person_id')
          .select(['people.name', 'people.email'])
          .whereRef('memberships.team_id', '=', 'teams.id')
          .where('memberships.role', '=', 'coordinator')
          .where('memberships.removed_at', 'is', null)
          .orderBy('memberships.person_id'),
      ).as('coordinators'),
    )
    .execute();
  for (const { exceptions, coordinators, ...row } of teams) {
    out.teams.set(row.id, toTeamWithSeries(row, exceptions));
    if (coordinators.length > 0) out.coordinators.set(row.id, coordinators);
  }
  return out;
}

/**
 * occurrenceOn once per series and date within a batch: every member's and language's reminder
 * of one meeting asks for the same occurrence. Keyed by the series object itself, so a team read
 * again after the data version changed (a new object) is expanded again, as it now is.
 */
function batchOccurrenceOn(batch: RenderBatch, series: MeetingSeries, date: string): Occurrence | undefined {
  const bySeries = batch.keep('reminder-occurrences', () => new WeakMap<MeetingSeries, Map<string, Occurrence | undefined>>());
  let byDate = bySeries.get(series);
  if (!byDate) bySeries.set(series, (byDate = new Map()));
  if (!byDate.has(date)) byDate.set(date, occurrenceOn(series, date));
  return byDate.get(date);
}

/**
 * The reminder as it is when sent: the meeting's current time and place, in the person's
 * language. Within a claimed batch (`batch`) the teams are loaded once, when its first reminder
 * is rendered. The batch's rows are rendered one by one over its whole send (each after its pace
 * turn and, for e-mail, a free connection), so a team's first rendering later in the batch uses
 * that load only while the data version is still the one it was read at (free while the
 * version's notifications run); after a change, the batch's teams are read again (one statement
 * per version, RenderBatch.current), as they are now: a meeting
 * cancelled or a coordinator removed after the batch's first reminder went is not sent as it was
 * (test/reminders/reminder-batch-stale-team.hostile.test.ts). Rows of one meeting share one
 * rendering while the data version stays as it was (personalReminder).
 */
export async function renderReminder(db: Kysely<Database>, row: DeliveryRow, language: Language, publicUrl: string, batch?: RenderBatch): Promise<Message | undefined> {
  const ref = row.payload as ReminderRef;
  // A batch load that failed is not this row's failure: the row reads its own team (a failure
  // then fails this meeting's rows alone, as before the batch load).
  // After a change of the data version the batch's teams are read again, all in one statement
  // (RenderBatch.current); before, each meeting rendered after a change read its own team, a
  // statement per meeting in the national week, where answers raise the version many times a second.
  const loaded = (batch && (await batch.current('reminder-teams', () => currentDataVersion(db), (rows) => loadReminderTeams(db, rows)).catch(() => undefined))) || (await loadReminderTeams(db, [row]));
  const team = loaded.teams.get(ref.teamId);
  if (!team) return undefined;
  const occurrence = batch ? batchOccurrenceOn(batch, team.meetings, ref.date) : occurrenceOn(team.meetings, ref.date);
  if (!occurrence || !takesPlace(occurrence)) return undefined;
  const coordinators = loaded.coordinators.get(ref.teamId) ?? [];
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
