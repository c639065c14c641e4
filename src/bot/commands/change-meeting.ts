import type { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import { bumpDataVersion } from '../../db/data-version.js';
import type { Database } from '../../db/tables.js';
import { zoned } from '../../domain/local-time.js';
import { moveRefusal, occurrenceForDay } from '../../domain/meeting-moves.js';
import { takesPlace } from '../../domain/occurrences.js';
import { recordScheduleChanges } from '../../schedule/meeting-notices.js';
import { loadTeams } from '../../feeds/feed-data.js';
import { changeCommandMessages } from '../../i18n/change-command-messages.js';
import { formatDateTime } from '../../i18n/format.js';
import type { Message } from '../../ports/channel.port.js';
import { fold } from '../parse-command.js';
import { teamsCoordinatedBy } from '../identity.js';
import type { CommandContext } from './context.js';

/** "2027-03-09", "9.03.2027", "9.3.2027" → "2027-03-09"; undefined when unreadable. */
export function readDate(text: string): string | undefined {
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(text);
  const polish = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(text);
  const [y, m, d] = iso ? [iso[1], iso[2], iso[3]] : polish ? [polish[3], polish[2], polish[1]] : [];
  if (!y) return undefined;
  const date = DateTime.fromObject({ year: Number(y), month: Number(m), day: Number(d) }, { zone: 'UTC' });
  return date.isValid ? date.toISODate()! : undefined;
}

/**
 * `spotkania odwołaj <data>` / `spotkania przenieś <data> <nowa data> <godzina>`: a coordinator
 * (or RCPS) changes one occurrence, named by the day it takes place (or its rule's day). The
 * exception, its record and one notice per member are written in one transaction, after the
 * checks made under a lock on the series (two coordinators at once cannot both cancel). A later
 * import keeps the change until the file itself changes that occurrence (docs/meetings.md).
 */
export async function changeMeeting(ctx: CommandContext, action: 'cancel' | 'move', args: string[]): Promise<Message> {
  const { db, person, clock } = ctx;
  const language = person.language;
  const t = changeCommandMessages[language];
  const reply = (text: string): Message => ({ language, title: t.title, text });
  const allowed = person.staff_role
    ? (await db.selectFrom('teams').select('id').where('removed_at', 'is', null).execute()).map((t) => t.id)
    : await teamsCoordinatedBy(db, person.id);
  if (allowed.length === 0) return reply(t.notCoordinator);
  const named = args[0] && allowed.includes(args[0]) ? args.shift() : undefined;
  const teamId = named ?? (allowed.length === 1 ? allowed[0] : undefined);
  if (!teamId) return reply(t.whichTeam(allowed.join(', ')));
  const date = args[0] ? readDate(args[0]) : undefined;
  if (!date) return reply(args[0] ? t.badDate(args[0]) : t.usage);
  let movedTo: string | null = null;
  if (action === 'move') {
    const newDate = args[1] ? readDate(args[1]) : undefined;
    const time = /^(\d{1,2})[:.](\d{2})$/.exec(args[2] ?? '');
    if (!newDate || !time) return reply(t.badNewTime);
    movedTo = `${newDate}T${time[1]!.padStart(2, '0')}:${time[2]}`;
  }

  let changed = false;
  const outcome = await db.transaction().execute(async (trx) => {
    // Checked and written under the series' lock: the second of two equal commands sees the first.
    await trx.selectFrom('meeting_series').select('team_id').where('team_id', '=', teamId).forUpdate().execute();
    const [team] = await loadTeams(trx, [teamId]);
    if (!team) return reply(t.notMeetingDay(date));
    const occurrence = occurrenceForDay(team.meetings, date);
    if (!occurrence) return reply(t.notMeetingDay(date));
    const when = formatDateTime(occurrence.start, language);
    if (occurrence.start.toMillis() <= clock.now().getTime()) return reply(t.past(date));
    let to: DateTime | undefined;
    if (action === 'cancel') {
      if (occurrence.status === 'cancelled') return reply(t.alreadyCancelled(when));
      if (occurrence.status === 'holiday_skipped') return reply(t.holidaySkipped(date, occurrence.holiday ?? ''));
    } else {
      to = zoned(movedTo!, team.team.timezone);
      if (!to.isValid) return reply(t.badNewTime);
      const refusal = moveRefusal(team.meetings, occurrence, to, clock.now());
      if (refusal?.reason === 'past') return reply(t.newTimePast(formatDateTime(to, language)));
      if (refusal?.reason === 'same_time') return reply(t.sameTime(when));
      if (refusal?.reason === 'clash') return reply(t.clash(formatDateTime(to, language), formatDateTime(refusal.other.start, language)));
    }
    await writeChatException(trx, teamId, occurrence.date, action === 'cancel', movedTo, clock.now());
    await trx.updateTable('meeting_series').set((eb) => ({ sequence: eb('sequence', '+', 1), updated_at: clock.now() })).where('team_id', '=', teamId).execute();
    const from = takesPlace(occurrence) ? occurrence.start.toUTC().toISO() : null;
    const kind = action === 'cancel' ? 'meeting_cancelled' : takesPlace(occurrence) ? 'meeting_moved' : 'meeting_restored';
    const details = JSON.stringify({ by: 'chat', from, to: to ? to.toUTC().toISO() : null, to_local: movedTo });
    await recordScheduleChanges(trx, [{ kind, team_id: teamId, occurrence_date: occurrence.date, person_id: person.id, details }], clock.now());
    await bumpDataVersion(trx);
    changed = true;
    const members = await trx.selectFrom('memberships').select('person_id').where('team_id', '=', teamId).where('removed_at', 'is', null).execute();
    return reply(to ? t.moved(when, formatDateTime(to, language), members.length) : t.cancelled(when, members.length));
  });
  if (changed) ctx.changed();
  return outcome;
}

/**
 * A chat change of one occurrence: the exception now says what the coordinator said, and
 * remembers what the file said of it (its own earlier chat change keeps the file's word).
 */
async function writeChatException(trx: Kysely<Database>, teamId: string, date: string, cancelled: boolean, movedTo: string | null, now: Date): Promise<void> {
  const before = await trx.selectFrom('meeting_exceptions').selectAll().where('team_id', '=', teamId).where('occurrence_date', '=', date).executeTakeFirst();
  const file = !before
    ? { file_cancelled: null, file_moved_to_local: null, file_unknown: false }
    : before.chat_changed_at
      ? { file_cancelled: before.file_cancelled, file_moved_to_local: before.file_moved_to_local, file_unknown: before.file_unknown }
      : { file_cancelled: before.cancelled, file_moved_to_local: before.moved_to_local, file_unknown: false };
  const values = { cancelled, moved_to_local: movedTo, chat_changed_at: now, ...file };
  if (before) await trx.updateTable('meeting_exceptions').set(values).where('team_id', '=', teamId).where('occurrence_date', '=', date).execute();
  else await trx.insertInto('meeting_exceptions').values({ team_id: teamId, occurrence_date: date, created_at: now, ...values }).execute();
}

/** The words after `spotkania` that change a meeting, in either language, with or without diacritics. */
export function changeAction(word: string | undefined): 'cancel' | 'move' | undefined {
  const w = fold(word ?? '');
  if (w === 'odwolaj' || w === 'cancel') return 'cancel';
  if (w === 'przenies' || w === 'move') return 'move';
  return undefined;
}
