import type { Kysely, Transaction } from 'kysely';
import { DateTime } from 'luxon';
import type { Clock } from '../clock.js';
import type { Database } from '../db/tables.js';
import { occurrencesStartingIn, takesPlace } from '../domain/occurrences.js';
import { loadTeams } from '../feeds/feed-data.js';
import { answerMeeting } from './meeting-answers.js';

export type AbsenceOutcome = { ok: true; id: number; answered: number } | { ok: false; code: 'bad_dates' };

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * "Urlop od … do …" (local dates, both included): stored, and every meeting of the person's
 * teams in it answered "nie będę" at once, in one transaction. The end may not be in the past.
 */
export async function addAbsence(db: Kysely<Database>, personId: number, startsOn: string, endsOn: string, clock: Clock): Promise<AbsenceOutcome> {
  const today = DateTime.fromJSDate(clock.now(), { zone: 'Europe/Warsaw' }).toISODate()!;
  const valid = (d: string) => DATE.test(d) && DateTime.fromISO(d).isValid;
  if (!valid(startsOn) || !valid(endsOn) || startsOn > endsOn || endsOn < today) return { ok: false, code: 'bad_dates' };
  return db.transaction().execute(async (trx) => {
    const { id } = await trx.insertInto('absence_periods').values({ person_id: personId, starts_on: startsOn, ends_on: endsOn, created_at: clock.now() }).returning('id').executeTakeFirstOrThrow();
    const answered = await applyAbsences(trx, clock, { personId });
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
 * Answers "nie będę" (source 'absence') every meeting that takes place, has not begun and falls
 * in a current absence period of its member, where the person has not answered "nie będę"
 * already (their own reason or substitute is kept; a "będę" is overridden: the period is the
 * newer word). Called when a period is added or removed, and after a team's schedule changed
 * (an import, a move into the period) and daily, so meetings that appear later are answered too.
 * Returns how many answers it wrote.
 */
export async function applyAbsences(trx: Kysely<Database>, clock: Clock, scope: { personId?: number; teamIds?: string[] } = {}): Promise<number> {
  const now = clock.now();
  let periods = trx
    .selectFrom('absence_periods as a')
    .innerJoin('memberships as m', 'm.person_id', 'a.person_id')
    .innerJoin('people as p', 'p.id', 'a.person_id')
    .select(['a.id', 'a.person_id', 'a.starts_on', 'a.ends_on', 'm.team_id'])
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
    const to = DateTime.fromISO(period.ends_on, { zone: team.team.timezone }).plus({ days: 1 });
    const start = from.toMillis() > now.getTime() ? from.toJSDate() : now;
    if (to.toMillis() <= start.getTime()) continue;
    for (const occurrence of occurrencesStartingIn(team.meetings, start, to.toJSDate()).filter(takesPlace)) {
      const existing = await trx
        .selectFrom('meeting_answers')
        .select(['answer', 'absence_id'])
        .where('team_id', '=', team.team.id)
        .where('occurrence_date', '=', occurrence.date)
        .where('person_id', '=', period.person_id)
        .executeTakeFirst();
      if (existing?.answer === 'not_attending') continue;
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
