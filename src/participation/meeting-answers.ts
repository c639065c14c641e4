import { sql, type Kysely, type Transaction } from 'kysely';
import { DateTime } from 'luxon';
import type { Clock } from '../clock.js';
import type { Database, PersonRow } from '../db/tables.js';
import { enqueue, type PlannedDelivery } from '../delivery/outbox.js';
import { parseDuration } from '../domain/local-time.js';
import { occurrenceOn, takesPlace, type Occurrence } from '../domain/occurrences.js';
import { loadTeams, type TeamWithSeries } from '../feeds/feed-data.js';
import { formatDateTime } from '../i18n/format.js';
import { participationMessages, type AnswerRefusal } from '../i18n/participation-messages.js';
import type { ChannelKind, Message } from '../ports/channel.port.js';
import { occurrenceKey } from '../reminders/occurrence-window.js';
import type { ReminderRef } from '../reminders/plan-reminders.js';
import { DEFAULT_QUIET_HOURS, plannedReminderTiming, type QuietHours } from '../reminders/quiet-hours.js';
import { notClaimedNow } from '../delivery/claims.js';

export type MeetingAnswer = 'attending' | 'not_attending';
export type AnswerSource = 'chat' | 'link' | 'email' | 'calendar' | 'absence';

export interface AnswerMeetingInput {
  teamId: string;
  /** The occurrence's key: the date its rule gives (a moved meeting keeps it). */
  occurrenceDate: string;
  personId: number;
  answer: MeetingAnswer;
  reason?: string;
  substituteEmail?: string;
  source: AnswerSource;
  absenceId?: number;
  /**
   * Names the confirmation by what caused it (an inbound mail's id) rather than the clock, and
   * confirms an unchanged answer too: each mail the person sends is answered once, and two mails in
   * the same millisecond get a confirmation each.
   */
  confirmationFor?: string;
}

export type AnswerMeetingResult =
  | {
      ok: true;
      answer: MeetingAnswer;
      teamId: string;
      teamName: string;
      occurrenceDate: string;
      start: Occurrence['start'];
      substitute?: { id: number; name: string; email: string };
      /** Said before exactly so: nothing new was written and no message queued. */
      unchanged: boolean;
    }
  | { ok: false; code: AnswerRefusal };

export const MAX_REASON_LENGTH = 500;

/** A real calendar date written YYYY-MM-DD (a button value or form id may carry anything). */
export const isCalendarDate = (text: string): boolean => /^\d{4}-\d{2}-\d{2}$/.test(text) && DateTime.fromISO(text).isValid;

/** "Jan  Kowalski " and "jan kowalski" are one address or one institution. */
export const normalized = (text: string | null | undefined): string => (text ?? '').trim().replace(/\s+/g, ' ').toLocaleLowerCase('pl');

/**
 * A member's answer for one occurrence of their team's meetings (docs/participation.md):
 * "będę", "nie będę" with an optional reason, or "nie będę" naming a substitute from the same
 * institution. Checked: a current member, an occurrence that takes place and has not begun, a
 * substitute who is a known person of the same institution and not the person. Written with
 * every message it causes in one transaction: the confirmation (not for chat, whose reply is
 * it, nor for an absence, whose period says it once), the substitute's notice and the
 * reminders still to come for the substitute. The person's own reminders need no change: a
 * "nie będę" is read when each is sent (src/participation/reminder-answers.ts).
 */
export async function answerMeeting(
  db: Kysely<Database> | Transaction<Database>,
  input: AnswerMeetingInput,
  clock: Clock,
): Promise<AnswerMeetingResult> {
  if (db.isTransaction) return answerIn(db, input, clock);
  return db.transaction().execute((trx) => answerIn(trx, input, clock));
}

async function answerIn(trx: Kysely<Database>, input: AnswerMeetingInput, clock: Clock): Promise<AnswerMeetingResult> {
  const now = clock.now();
  if (!isCalendarDate(input.occurrenceDate)) return { ok: false, code: 'no_meeting' };
  const reason = input.answer === 'not_attending' ? input.reason?.trim() || null : null;
  if (reason && [...reason].length > MAX_REASON_LENGTH) return { ok: false, code: 'reason_too_long' };
  const person = await trx
    .selectFrom('people')
    .innerJoin('memberships', 'memberships.person_id', 'people.id')
    .innerJoin('teams', 'teams.id', 'memberships.team_id')
    .selectAll('people')
    .where('people.id', '=', input.personId)
    .where('memberships.team_id', '=', input.teamId)
    .where('people.removed_at', 'is', null)
    .where('memberships.removed_at', 'is', null)
    .where('teams.removed_at', 'is', null)
    .executeTakeFirst();
  if (!person) return { ok: false, code: 'not_member' };
  const [team] = await loadTeams(trx, [input.teamId]);
  const occurrence = team && occurrenceOn(team.meetings, input.occurrenceDate);
  if (!team || !occurrence || !takesPlace(occurrence)) return { ok: false, code: 'no_meeting' };
  if (occurrence.start.toMillis() <= now.getTime()) return { ok: false, code: 'closed' };

  let substitute: PersonRow | undefined;
  if (input.answer === 'not_attending' && input.substituteEmail !== undefined) {
    const email = normalized(input.substituteEmail);
    if (!email) return { ok: false, code: 'substitute_missing' };
    substitute = await trx.selectFrom('people').selectAll().where((eb) => eb(eb.fn('lower', [eb.fn('btrim', ['email'])]), '=', email)).where('removed_at', 'is', null).executeTakeFirst();
    if (!substitute) return { ok: false, code: 'unknown_substitute' };
    if (substitute.id === person.id) return { ok: false, code: 'self_substitute' };
    if (!normalized(person.institution) || normalized(person.institution) !== normalized(substitute.institution)) return { ok: false, code: 'other_institution' };
  }

  // One answer of one person for one occurrence at a time: a double click reaching two replicas
  // (or two substitutes named at once) waits here, then reads what the first one wrote, so it
  // is "unchanged" (no second confirmation) or drops the first one's substitute reminders. The
  // row lock below cannot do it when there is no row yet.
  await sql`select pg_advisory_xact_lock(hashtext(${`meeting-answer:${input.teamId}:${occurrence.date}:${person.id}`}))`.execute(trx);
  const before = await trx
    .selectFrom('meeting_answers')
    .selectAll()
    .where('team_id', '=', input.teamId)
    .where('occurrence_date', '=', occurrence.date)
    .where('person_id', '=', person.id)
    .forUpdate()
    .executeTakeFirst();
  const values = {
    answer: input.answer,
    reason,
    substitute_person_id: substitute?.id ?? null,
    substitute_email: substitute?.email ?? null,
    absence_id: input.source === 'absence' ? (input.absenceId ?? null) : null,
    source: input.source,
  };
  const result = {
    ok: true as const,
    answer: input.answer,
    teamId: team.team.id,
    teamName: team.team.name,
    occurrenceDate: occurrence.date,
    start: occurrence.start,
    ...(substitute ? { substitute: { id: substitute.id, name: substitute.name, email: substitute.email } } : {}),
  };
  const same =
    before &&
    before.answer === values.answer &&
    before.reason === values.reason &&
    before.substitute_person_id === values.substitute_person_id &&
    before.absence_id === values.absence_id;
  const confirmation = (): PlannedDelivery => {
    const t = participationMessages[person.language];
    return {
      key: `meeting-answer:${input.teamId}:${occurrence.date}:${person.id}:${input.confirmationFor ?? now.toISOString()}`,
      kind: 'confirmation',
      personId: person.id,
      teamId: input.teamId,
      channels: person.channels as ChannelKind[],
      payload: {
        language: person.language,
        title: t.confirmationTitle(team.team.name),
        text: t.recorded(input.answer, team.team.name, formatDateTime(occurrence.start, person.language), substitute?.name),
        // Caused by a mail the person wrote: an automatic reply to it (RFC 3834).
        ...(input.confirmationFor ? { autoReply: true as const } : {}),
      } satisfies Message,
      dueAt: now,
      expiresAt: occurrence.start.toJSDate(),
    };
  };
  if (same) {
    if (input.confirmationFor) await enqueue(trx, [confirmation()]);
    return { ...result, unchanged: true };
  }

  await trx
    .insertInto('meeting_answers')
    .values({ team_id: input.teamId, occurrence_date: occurrence.date, person_id: person.id, ...values, answered_at: now })
    .onConflict((oc) => oc.columns(['team_id', 'occurrence_date', 'person_id']).doUpdateSet({ ...values, answered_at: now }))
    .execute();

  // A substitute named before and no longer: their reminders for this meeting still waiting go.
  const formerSubstitute = before?.substitute_person_id;
  if (formerSubstitute && formerSubstitute !== substitute?.id) await dropSubstituteReminders(trx, input.teamId, occurrence.date, formerSubstitute);

  const planned: PlannedDelivery[] = [];
  const when = (language: 'pl' | 'en') => formatDateTime(occurrence.start, language);
  if (input.source !== 'chat' && input.source !== 'absence') planned.push(confirmation());
  if (substitute && substitute.id !== before?.substitute_person_id) {
    const t = participationMessages[substitute.language];
    planned.push({
      key: `meeting-substitute:${input.teamId}:${occurrence.date}:${person.id}:${substitute.id}:${now.toISOString()}`,
      kind: 'notice',
      personId: substitute.id,
      teamId: input.teamId,
      channels: substitute.channels as ChannelKind[],
      payload: {
        language: substitute.language,
        title: t.substituteNoticeTitle(team.team.name),
        text: t.substituteNoticeText(person.name, team.team.name, when(substitute.language), team.series.location),
      } satisfies Message,
      dueAt: now,
      expiresAt: occurrence.start.toJSDate(),
    });
  }
  if (substitute) {
    // Their reminders are timed by their own quiet hours, due time and early window alike.
    const own = await trx.selectFrom('preferences').select(['quiet_from', 'quiet_to']).where('person_id', '=', substitute.id).executeTakeFirst();
    const quiet = { from: own?.quiet_from ?? DEFAULT_QUIET_HOURS.from, to: own?.quiet_to ?? DEFAULT_QUIET_HOURS.to };
    planned.push(...substituteReminders(team, occurrence, substitute, now, quiet));
  }
  // The substitute named before and no longer (the person comes, or names someone else) is told
  // they are not expected, in the same transaction as the answer that releases them.
  if (formerSubstitute && formerSubstitute !== substitute?.id) {
    const former = await trx.selectFrom('people').selectAll().where('id', '=', formerSubstitute).where('removed_at', 'is', null).executeTakeFirst();
    if (former) {
      const t = participationMessages[former.language];
      planned.push({
        key: `meeting-substitute-released:${input.teamId}:${occurrence.date}:${person.id}:${former.id}:${now.toISOString()}`,
        kind: 'notice',
        personId: former.id,
        teamId: input.teamId,
        channels: former.channels as ChannelKind[],
        payload: { language: former.language, title: t.substituteReleasedTitle(team.team.name), text: t.substituteReleasedText(person.name, team.team.name, when(former.language)) } satisfies Message,
        dueAt: now,
        expiresAt: occurrence.start.toJSDate(),
      });
    }
  }
  await enqueue(trx, planned);
  return { ...result, unchanged: false };
}

/**
 * The reminders of one occurrence still to come, for its substitute: the same keys and payload
 * as a member's (plan-reminders.ts), so planning again adds nothing and a member named as
 * substitute is not reminded twice.
 */
export function substituteReminders(
  team: TeamWithSeries,
  occurrence: Occurrence,
  substitute: Pick<PersonRow, 'id' | 'channels'>,
  now: Date,
  quiet: QuietHours = DEFAULT_QUIET_HOURS,
): PlannedDelivery[] {
  const start = occurrence.start.toJSDate();
  const out: PlannedDelivery[] = [];
  for (const offset of team.series.reminders as string[]) {
    const planned = occurrence.start.minus(parseDuration(offset)!).toJSDate();
    // By the substitute's own quiet hours, as fanOutSubstitutes (plan-reminders.ts) plans them again;
    // a time meant already past only while those hours still hold it (plannedReminderTiming).
    const timing = plannedReminderTiming(planned, start, team.team.timezone, quiet, now);
    if (!timing) continue;
    const { dueAt, earliestAt } = timing;
    const payload: ReminderRef = { type: 'reminder', teamId: team.team.id, date: occurrence.date, offset };
    out.push({
      key: `reminder:${team.team.id}:${occurrenceKey(occurrence)}:${offset}:${substitute.id}`,
      kind: 'reminder',
      personId: substitute.id,
      teamId: team.team.id,
      channels: substitute.channels as ChannelKind[],
      payload,
      dueAt,
      expiresAt: start,
      earliestAt,
    });
  }
  return out;
}

/** A former substitute who is not a member of the team: their reminders of that occurrence still waiting. */
async function dropSubstituteReminders(trx: Kysely<Database>, teamId: string, date: string, personId: number): Promise<void> {
  const member = await trx.selectFrom('memberships').select('person_id').where('team_id', '=', teamId).where('person_id', '=', personId).where('removed_at', 'is', null).executeTakeFirst();
  if (member) return;
  await trx
    .deleteFrom('deliveries')
    .where('person_id', '=', personId)
    .where('team_id', '=', teamId)
    .where('kind', '=', 'reminder')
    .where('state', '=', 'pending')
    .where(notClaimedNow())
    .where(sql<string>`payload->>'date'`, '=', date)
    .execute();
}
