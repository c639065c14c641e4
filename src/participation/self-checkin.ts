import { randomInt } from 'node:crypto';
import type { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import type { Clock } from '../clock.js';
import type { Database } from '../db/tables.js';
import { inTransaction } from '../db/transactions.js';
import { markPresence } from './presence.js';
import { activityDayTimes, SELF_CHECKIN_EARLY_MINUTES } from './presence-window.js';

/**
 * Self check-in codes: six characters from an alphabet without look-alikes (no 0/O, 1/I/L, 2/Z,
 * 5/S, 8/B), shown as "KTR-4PX" so they read aloud in two breaths. 25⁶ ≈ 244 million codes, of
 * which a handful are live at a time; guessing is limited besides (MAX_FAILURES wrong codes per
 * person per FAILURE_WINDOW_MINUTES), and a code only works for people invited to its activity.
 */
export const CODE_ALPHABET = 'ACDEFGHJKMNPQRTUVWXY34679';
export const CODE_LENGTH = 6;
export const MAX_FAILURES = 5;
export const FAILURE_WINDOW_MINUTES = 15;

export function newCode(): string {
  return Array.from({ length: CODE_LENGTH }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join('');
}

/** "ktr 4px", "KTR-4PX" → "KTR4PX"; undefined when it cannot be a code. */
export function normaliseCode(typed: string): string | undefined {
  const code = typed.toUpperCase().replace(/[\s\-–.]/g, '');
  return code.length === CODE_LENGTH && [...code].every((c) => CODE_ALPHABET.includes(c)) ? code : undefined;
}

export const showCode = (code: string) => `${code.slice(0, 3)}-${code.slice(3)}`;

/** The code of one activity day, made on first use (the poster page); the same one afterwards. */
export async function codeFor(db: Kysely<Database>, activityId: string, day: string): Promise<string> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const existing = await db.selectFrom('checkin_codes').select('code').where('activity_id', '=', activityId).where('day', '=', day).executeTakeFirst();
    if (existing) return existing.code;
    // A code taken by another day (once in millions) conflicts on the unique code: try another.
    await db.insertInto('checkin_codes').values({ activity_id: activityId, day, code: newCode() }).onConflict((oc) => oc.doNothing()).execute();
  }
  throw new Error(`no free check-in code for ${activityId} ${day}`);
}

export type SelfCheckinResult =
  | { ok: true; activityId: string; title: string; day: string; changed: boolean }
  /** wrong_code: no such code (counted); not_invited: a code of an activity the person is not invited to (counted); too_many: wait a while. */
  | { ok: false; reason: 'wrong_code' | 'not_invited' | 'too_many' }
  /** A real code of an activity that was cancelled (not counted as a guess). */
  | { ok: false; reason: 'cancelled'; title: string }
  /** A real code, out of its time: opens SELF_CHECKIN_EARLY_MINUTES before the day's start, closes at its end. */
  | { ok: false; reason: 'not_now'; opens: DateTime; closes: DateTime; title: string };

async function recentFailures(db: Kysely<Database>, personId: number, now: Date): Promise<number> {
  const since = new Date(now.getTime() - FAILURE_WINDOW_MINUTES * 60_000);
  const row = await db.selectFrom('checkin_failures').select(db.fn.countAll().as('n')).where('person_id', '=', personId).where('failed_at', '>', since).executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * "jestem KTR-4PX": the person marks themselves present at the code's activity day. A wrong or
 * foreign code records nothing but the failure (to limit guessing); too many failures refuse
 * every code for a while without looking it up.
 */
export async function selfCheckIn(db: Kysely<Database>, personId: number, typed: string, clock: Clock): Promise<SelfCheckinResult> {
  const now = clock.now();
  return inTransaction(db, async (trx) => {
    // One attempt of a person at a time (two replicas, a script): the count of failures and the
    // new failure are one step under the lock of the person's row, so the limit holds at once too.
    await trx.selectFrom('people').select('id').where('id', '=', personId).forUpdate().execute();
    // Failures older than the window count for nothing: each attempt sweeps the person's own.
    await trx.deleteFrom('checkin_failures').where('person_id', '=', personId).where('failed_at', '<=', new Date(now.getTime() - FAILURE_WINDOW_MINUTES * 60_000)).execute();
    if ((await recentFailures(trx, personId, now)) >= MAX_FAILURES) return { ok: false, reason: 'too_many' };
    const code = normaliseCode(typed);
    const found = code
      ? await trx
          .selectFrom('checkin_codes')
          .innerJoin('activities', 'activities.id', 'checkin_codes.activity_id')
          .selectAll('activities')
          .select('checkin_codes.day')
          .where('checkin_codes.code', '=', code)
          .executeTakeFirst()
      : undefined;
    const fail = async (reason: 'wrong_code' | 'not_invited'): Promise<SelfCheckinResult> => {
      await trx.insertInto('checkin_failures').values({ person_id: personId, failed_at: now }).execute();
      return { ok: false, reason };
    };
    if (!found) return fail('wrong_code');
    // A real code of a cancelled activity is no guess: say so, count nothing.
    if (found.cancelled_at) return { ok: false, reason: 'cancelled', title: found.title };
    const result = await markPresence(trx, { kind: 'activity', refId: found.id, day: found.day, personId, present: true, method: 'self', markedBy: personId }, clock);
    if (result.ok) return { ok: true, activityId: found.id, title: found.title, day: found.day, changed: result.changed };
    if (result.reason === 'too_early' || result.reason === 'too_late') {
      const { start, end } = activityDayTimes(found, found.day);
      return { ok: false, reason: 'not_now', opens: start.minus({ minutes: SELF_CHECKIN_EARLY_MINUTES }), closes: end, title: found.title };
    }
    // Not invited: to the person, a code that is not theirs.
    return fail('not_invited');
  });
}

