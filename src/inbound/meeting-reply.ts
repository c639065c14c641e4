import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/tables.js';
import { answerMeeting, type AnswerMeetingResult } from '../participation/meeting-answers.js';

/**
 * A clear plain reply to a meeting reminder, recorded as the chat command and the answer links
 * record it (src/participation/meeting-answers.ts, source 'email'), in the mail's transaction.
 * answerMeeting queues the person's confirmation itself; a refusal (no longer a member, the
 * meeting cancelled or begun) makes the caller pass the reply on to the coordinator instead.
 */
export function recordMeetingReply(
  trx: Kysely<Database>,
  reply: { teamId: string; occurrenceDate: string; personId: number; answer: 'attending' | 'not_attending'; reason?: string },
  clock: Clock,
  mailId: number,
): Promise<AnswerMeetingResult> {
  // One confirmation per mail, even for an answer given before (the person always hears back).
  return answerMeeting(trx, { ...reply, source: 'email', confirmationFor: `mail-${mailId}` }, clock);
}
