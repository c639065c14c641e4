import type { Kysely, Transaction } from 'kysely';
import { DateTime } from 'luxon';
import type { Clock } from '../clock.js';
import type { Database } from '../db/tables.js';
import { MAX_SHIFT_DAYS, occurrenceOn, occurrencesStartingIn, takesPlace } from '../domain/occurrences.js';
import { loadTeams } from '../feeds/feed-data.js';
import { DEFAULT_HORIZON_DAYS } from '../reminders/plan-reminders.js';
import { answerMeeting } from './meeting-answers.js';

export type AbsenceOutcome = { ok: true; id: number; answered: number } | { ok: false; code: 'bad_dates' } | { ok: false; code: 'too_long'; maxDays: number };

/** The longest period (days, both ends included): longer ones are refused, so no one can write years of answers at once. */
export const MAX_ABSENCE_DAYS = 366;

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * "Urlop od … do …" (local dates, both included): stored, and every meeting of the person's
 * teams in it answered "nie będę" at once, in one transaction. The end may not be in the past.
 */
export async function addAbsence(db: Kysely<Database>, personId: number, startsOn: string, endsOn: string, clock: Clock): Promise<AbsenceOutcome> {
  const today = DateTime.fromJSDate(clock.now(), { zone: 'Europe/Warsaw' }).toISODate()!;
  const valid = (d: string) => DATE.test(d) && DateTime.fromISO(d).isValid;
  if (!valid(startsOn) || !valid(endsOn) || startsOn > endsOn || endsOn < today) return { ok: false, code: 'bad_dates' };
  if (DateTime.fromISO(endsOn).diff(DateTime.fromISO(startsOn), 'days').days + 1 > MAX_ABSENCE_DAYS) return { ok: false, code: 'too_long', maxDays: MAX_ABSENCE_DAYS };
  return db.transaction().execute(async (trx) => {
    const { id } = await trx.insertInto('absence_periods').values({ person_id: personId, starts_on: startsOn, ends_on: endsOn, created_at: clock.now() }).returning('id').executeTakeFirstOrThrow();
    const answered = await applyAbsences(trx, clock, { personId, addedId: id });
    return { ok: true, id, answered };
  });
}

/**
 * Removes a period (marked removed, kept until retention) and only the answers it made: an
 * answer the person gave themselves, or that another period made, stays.
 */
export async function removeAbsence(db: Kysely<Database>, personId: number, id: number, clock: Clock): Promise<{ ok: true; startsOn: string; endsOn: string; withdrawn: number } | { ok: false }> {
  return db.transaction().execute(async (trx) => {
    const period = await trx.selectFrom('absence_periods').selectAll().where('id', '=', id).where('person_id', '=', personId).where('removed_at', 'is', null).forUpdate().executeTakeFirst();
    if (!period) return { ok: false as const };
    await trx.updateTable('absence_periods').set({ removed_at: clock.now() }).where('id', '=', id).execute();
    const result = await trx.deleteFrom('meeting_answers').where('absence_id', '=', id).where('person_id', '=', personId).where('source', '=', 'absence').executeTakeFirst();
    // Another period that still covers those meetings answers them again.
    await applyAbsences(trx, clock, { personId });
    return { ok: true as const, startsOn: period.starts_on, endsOn: period.ends_on, withdrawn: Number(result.numDeletedRows) };
  });
}

/** The person's periods not yet over (and not removed), soonest first. */
export async function currentAbsences(db: Kysely<Database>, personId: number, clock: Clock) {
  const today = DateTime.fromJSDate(clock.now(), { zone: 'Europe/Warsaw' }).toISODate()!;
  return db
    .selectFrom('absence_periods')
    .select(['id', 'starts_on', 'ends_on'])
    .where('person_id', '=', personId)
    .where('removed_at', 'is', null)
    .where('ends_on', '>=', today)
    .orderBy('starts_on')
    .orderBy('id')
    .execute();
}

/**
 * Answers "nie będę" (source 'absence') every meeting that takes place, has not begun, starts
 * before the reminder horizon and falls in a current absence period of its member, where the
 * person has no answer yet, or an answer of their own older than the period (the period is the
 * newer word; their own "nie będę" with its reason or substitute is kept). An answer the person
 * gave after adding the period is never overwritten, nor one another period made. Then it takes
 * back the answers periods made for meetings that no longer fall in any live period (moved out,
 * or cancelled) and have not begun. Called when a period is added or removed, after a team's
 * schedule changed and daily, so meetings that come within the horizon are answered too.
 * Returns how many answers it wrote.
 */
export async function applyAbsences(trx: Kysely<Database>, clock: Clock, scope: { personId?: number; teamIds?: string[]; addedId?: number } = {}): Promise<number> {
  const now = clock.now();
  const horizon = DateTime.fromJSDate(now).plus({ days: DEFAULT_HORIZON_DAYS });
  await withdrawStaleAbsenceAnswers(trx, now, scope);
  let periods = trx
    .selectFrom('absence_periods as a')
    .innerJoin('memberships as m', 'm.person_id', 'a.person_id')
    .innerJoin('people as p', 'p.id', 'a.person_id')
    .select(['a.id', 'a.person_id', 'a.starts_on', 'a.ends_on', 'a.created_at', 'm.team_id'])
    .where('a.removed_at', 'is', null)
    .where('m.removed_at', 'is', null)
    .where('p.removed_at', 'is', null)
    .where('a.ends_on', '>=', DateTime.fromJSDate(now, { zone: 'UTC' }).minus({ days: 1 }).toISODate()!);
  if (scope.personId !== undefined) periods = periods.where('a.person_id', '=', scope.personId);
  if (scope.teamIds) periods = periods.where('m.team_id', 'in', scope.teamIds.length ? scope.teamIds : ['']);
  const rows = await periods.orderBy('a.id').execute();
  if (rows.length === 0) return 0;
  const teams = new Map((await loadTeams(trx, [...new Set(rows.map((r) => r.team_id))])).map((t) => [t.team.id, t]));
  let written = 0;
  for (const period of rows) {
    const team = teams.get(period.team_id);
    if (!team) continue;
    const from = DateTime.fromISO(period.starts_on, { zone: team.team.timezone });
    const end = DateTime.fromISO(period.ends_on, { zone: team.team.timezone }).plus({ days: 1 });
    const to = end < horizon ? end : horizon;
    const start = from.toMillis() > now.getTime() ? from.toJSDate() : now;
    if (to.toMillis() <= start.getTime()) continue;
    for (const occurrence of occurrencesStartingIn(team.meetings, start, to.toJSDate()).filter(takesPlace)) {
      const existing = await trx
        .selectFrom('meeting_answers')
        .select(['answer', 'absence_id', 'answered_at'])
        .where('team_id', '=', team.team.id)
        .where('occurrence_date', '=', occurrence.date)
        .where('person_id', '=', period.person_id)
        .executeTakeFirst();
      // The person's own answer given when or after the period was added is their later word (a
      // period just added is newer than every answer there is).
      const later = existing && period.id !== scope.addedId && new Date(existing.answered_at).getTime() >= new Date(period.created_at).getTime();
      if (existing && (existing.answer === 'not_attending' || existing.absence_id !== null || later)) continue;
      const result = await answerMeeting(
        trx as Transaction<Database>,
        { teamId: team.team.id, occurrenceDate: occurrence.date, personId: period.person_id, answer: 'not_attending', source: 'absence', absenceId: period.id },
        clock,
      );
      if (result.ok && !result.unchanged) written++;
    }
  }
  return written;
}

/**
 * Deletes the answers periods made (absence_id set) for occurrences that have not begun and no
 * longer take place in a live period of the person: the meeting was moved out of it or cancelled.
 * The person is then reminded as any member (reminders read the answer when sent).
 */
async function withdrawStaleAbsenceAnswers(trx: Kysely<Database>, now: Date, scope: { personId?: number; teamIds?: string[] }): Promise<void> {
  let query = trx
    .selectFrom('meeting_answers')
    .select(['team_id', 'occurrence_date', 'person_id'])
    .where('absence_id', 'is not', null)
    .where('occurrence_date', '>=', DateTime.fromJSDate(now, { zone: 'UTC' }).minus({ days: MAX_SHIFT_DAYS + 2 }).toISODate()!);
  if (scope.personId !== undefined) query = query.where('person_id', '=', scope.personId);
  if (scope.teamIds) query = query.where('team_id', 'in', scope.teamIds.length ? scope.teamIds : ['']);
  const answers = await query.execute();
  if (answers.length === 0) return;
  const teams = new Map((await loadTeams(trx, [...new Set(answers.map((a) => a.team_id))])).map((t) => [t.team.id, t]));
  const live = await trx
    .selectFrom('absence_periods')
    .select(['person_id', 'starts_on', 'ends_on'])
    .where('removed_at', 'is', null)
    .where('person_id', 'in', [...new Set(answers.map((a) => a.person_id))])
    .execute();
  for (const answer of answers) {
    const team = teams.get(answer.team_id);
    const occurrence = team && occurrenceOn(team.meetings, answer.occurrence_date);
    if (occurrence && occurrence.start.toMillis() <= now.getTime()) continue; // begun: history stays
    const day = occurrence?.start.setZone(team!.team.timezone).toISODate();
    const covered = occurrence && takesPlace(occurrence) && live.some((p) => p.person_id === answer.person_id && p.starts_on <= day! && day! <= p.ends_on);
    if (covered) continue;
    await trx
      .deleteFrom('meeting_answers')
      .where('team_id', '=', answer.team_id)
      .where('occurrence_date', '=', answer.occurrence_date)
      .where('person_id', '=', answer.person_id)
      .where('absence_id', 'is not', null)
      .execute();
  }
}
