import { DateTime } from 'luxon';
import { bumpDataVersion } from '../../db/data-version.js';
import { zoned } from '../../domain/local-time.js';
import { occurrenceOn } from '../../domain/occurrences.js';
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
 * (or RCPS) changes one occurrence. It is recorded like an import's change, so members get one
 * notice and the reminders and feeds follow. A later import of the file is the final word.
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

  const [team] = await loadTeams(db, [teamId]);
  const occurrence = occurrenceOn(team!.meetings, date);
  if (!occurrence) return reply(t.notMeetingDay(date));
  if (occurrence.start.toMillis() <= clock.now().getTime()) return reply(t.past(date));
  let movedTo: string | null = null;
  if (action === 'move') {
    const newDate = args[1] ? readDate(args[1]) : undefined;
    const time = /^(\d{1,2})[:.](\d{2})$/.exec(args[2] ?? '');
    if (!newDate || !time) return reply(t.badNewTime);
    movedTo = `${newDate}T${time[1]!.padStart(2, '0')}:${time[2]}`;
    if (!zoned(movedTo, team!.team.timezone).isValid || zoned(movedTo, team!.team.timezone).toMillis() <= clock.now().getTime()) return reply(t.badNewTime);
  }

  const members = await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('meeting_exceptions')
      .values({ team_id: teamId, occurrence_date: date, cancelled: action === 'cancel', moved_to_local: movedTo, created_at: clock.now() })
      .onConflict((oc) => oc.columns(['team_id', 'occurrence_date']).doUpdateSet({ cancelled: action === 'cancel', moved_to_local: movedTo }))
      .execute();
    await trx.updateTable('meeting_series').set((eb) => ({ sequence: eb('sequence', '+', 1), updated_at: clock.now() })).where('team_id', '=', teamId).execute();
    await trx
      .insertInto('schedule_changes')
      .values({
        kind: action === 'cancel' ? 'meeting_cancelled' : 'meeting_moved',
        team_id: teamId,
        occurrence_date: date,
        person_id: person.id,
        details: JSON.stringify({ by: 'chat', to: movedTo }),
        created_at: clock.now(),
      })
      .execute();
    await bumpDataVersion(trx);
    return trx.selectFrom('memberships').select('person_id').where('team_id', '=', teamId).where('removed_at', 'is', null).execute();
  });
  ctx.changed();
  const when = formatDateTime(occurrence.start, language);
  if (action === 'cancel') return reply(t.cancelled(when, members.length));
  return reply(t.moved(when, formatDateTime(zoned(movedTo!, team!.team.timezone), language), members.length));
}

/** The words after `spotkania` that change a meeting, in either language, with or without diacritics. */
export function changeAction(word: string | undefined): 'cancel' | 'move' | undefined {
  const w = fold(word ?? '');
  if (w === 'odwolaj' || w === 'cancel') return 'cancel';
  if (w === 'przenies' || w === 'move') return 'move';
  return undefined;
}
