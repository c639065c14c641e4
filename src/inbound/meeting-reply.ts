import type { Kysely } from 'kysely';
import type { Database } from '../db/tables.js';

/**
 * Where a clear plain reply to a meeting reminder goes. Meeting answers ("będę" / "nie będę",
 * src/participation/meeting-answers.ts, issue 15) were not on main when this was built, so the
 * answer is not recorded here: the caller passes it to the team's coordinator, saying what it
 * understood. When answerMeeting lands, this is the one place to call it (source 'email') and
 * return 'recorded'.
 */
export async function recordMeetingReply(
  _trx: Kysely<Database>,
  _reply: { teamId: string; occurrenceDate: string; personId: number; answer: 'attending' | 'not_attending'; reason?: string },
  _now: Date,
): Promise<'recorded' | 'to_coordinator'> {
  return 'to_coordinator';
}
