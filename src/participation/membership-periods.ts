import { sql, type Kysely } from 'kysely';
import type { DateTime } from 'luxon';
import type { Database } from '../db/tables.js';

/**
 * Membership history (migration 0029). `memberships` says who is in a team now (and their role);
 * `membership_periods` says when: one row per stretch [started_at, ended_at), ended_at null while
 * it lasts, so someone who left and came back is not a member of the meetings in between. Every
 * change of `memberships` calls startPeriods or endPeriods in the same transaction.
 */

export interface MemberKey {
  team_id: string;
  person_id: number;
}

// One insert per this many rows keeps a national import's statements under the parameter limit.
const CHUNK = 1000;

/**
 * A membership begins (a new member, or one coming back) at `at`; one already open is kept as it
 * is. Never before the last period of the same membership ended: an import on a clock behind the
 * one that removed the member (another host) would otherwise make the periods overlap, or begin
 * before the member's first day (test/participation/membership-periods-readd-clock.hostile.test.ts).
 */
export async function startPeriods(db: Kysely<Database>, keys: MemberKey[], at: Date): Promise<void> {
  // greatest() ignores the null of a first period (no earlier one).
  const startOf = (k: MemberKey) =>
    sql<Date>`greatest(${at}::timestamptz, (select max(p.ended_at) from membership_periods p where p.team_id = ${k.team_id} and p.person_id = ${k.person_id}))`;
  for (let i = 0; i < keys.length; i += CHUNK) {
    await db
      .insertInto('membership_periods')
      .values(keys.slice(i, i + CHUNK).map((k) => ({ team_id: k.team_id, person_id: k.person_id, started_at: startOf(k), ended_at: null })))
      .onConflict((oc) => oc.columns(['team_id', 'person_id']).where('ended_at', 'is', null).doNothing())
      .execute();
  }
}

/**
 * A membership ends at `at`: its open period is closed. Never before it began: an import on a
 * clock a few seconds behind the one that opened it (another host) closes it empty rather than
 * failing the whole import on the periods' order check.
 */
export async function endPeriod(db: Kysely<Database>, key: MemberKey, at: Date): Promise<void> {
  await db
    .updateTable('membership_periods')
    .set({ ended_at: sql<Date>`greatest(started_at, ${at})` })
    .where('team_id', '=', key.team_id)
    .where('person_id', '=', key.person_id)
    .where('ended_at', 'is', null)
    .execute();
}

/**
 * The memberships of a team (one row per person, whatever their role or removal now) with a
 * period that covers an occurrence: started before its end and not ended by its start.
 * Half-open on both sides, as docs/participation.md states: someone who joins exactly as it
 * ends, or leaves exactly as it starts, was not a member of it; someone who joins exactly as it
 * starts, or leaves exactly as it ends, was.
 */
export const membersAt = (db: Kysely<Database>, teamId: string, window: { start: DateTime; end: DateTime }) =>
  db
    .selectFrom('memberships')
    .where('memberships.team_id', '=', teamId)
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom('membership_periods as mp')
          .select('mp.person_id')
          .whereRef('mp.team_id', '=', 'memberships.team_id')
          .whereRef('mp.person_id', '=', 'memberships.person_id')
          .where('mp.started_at', '<', window.end.toJSDate())
          .where((eb) => eb.or([eb('mp.ended_at', 'is', null), eb('mp.ended_at', '>', window.start.toJSDate())])),
      ),
    );

/** The periods of these teams that overlap [from, to): to be matched to many occurrences with coversOccurrence. */
export const periodsOverlapping = (db: Kysely<Database>, teamIds: string[], from: Date, to: Date) =>
  db
    .selectFrom('membership_periods')
    .select(['team_id', 'person_id', 'started_at', 'ended_at'])
    .where('team_id', 'in', teamIds)
    .where('started_at', '<', to)
    .where((eb) => eb.or([eb('ended_at', 'is', null), eb('ended_at', '>', from)]))
    .execute();

/** The rule of membersAt for one period and one occurrence, in memory. */
export const coversOccurrence = (period: { started_at: Date; ended_at: Date | null }, occurrence: { start: DateTime; end: DateTime }) =>
  new Date(period.started_at).getTime() < occurrence.end.toMillis() && (period.ended_at === null || new Date(period.ended_at).getTime() > occurrence.start.toMillis());
