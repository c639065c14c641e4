import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { ActivityRow, Database } from '../db/tables.js';
import { rsvpClosesAt } from '../invitations/invitation-timing.js';
import { refusalAt, type RsvpRefusal } from '../invitations/rsvp.js';
import type { Language } from '../i18n/messages.js';
import { loadQuestions, type Question } from './questions.js';
import { parseAnswers } from './registration-form.js';

export type RegistrationRefusal = RsvpRefusal | 'not_accepted' | 'no_questions';

export type RegistrationOutcome =
  | { ok: true; activity: ActivityRow; questions: Question[]; answers: Map<string, string>; unchanged: boolean }
  | { ok: false; code: RegistrationRefusal }
  | { ok: false; code: 'invalid'; field: string; text: string };

/** The person's stored answers to an activity's questions, by question id. */
export async function answersOf(db: Kysely<Database>, activityId: string, personId: number): Promise<Map<string, string>> {
  const rows = await db.selectFrom('registration_answers').select(['question_id', 'value']).where('activity_id', '=', activityId).where('person_id', '=', personId).execute();
  return new Map(rows.map((r) => [r.question_id, r.value]));
}

/**
 * Whether the person may still give or change answers at `now`: like an RSVP answer, until the
 * close of answers (the end of rsvp_by's day, or the start). Someone who took a seat offered
 * from the waiting list after that close (their "accept" was recorded after it) may answer
 * until the start, since they were asked only then.
 */
export function registrationRefusal(activity: ActivityRow, answeredAt: Date | null, now: Date): RsvpRefusal | undefined {
  const refusal = refusalAt(activity, now);
  if (refusal !== 'closed') return refusal;
  const closes = rsvpClosesAt(activity);
  return closes && answeredAt && answeredAt.getTime() > closes.getTime() ? undefined : refusal;
}

/**
 * Stores a person's answers to the registration questions, all or nothing: under the activity's
 * row lock (as an RSVP answer), only for someone whose answer is "I will come" (accepted or on
 * the waiting list), only before the deadline, only valid choices. The "accept" itself is not
 * touched: this is a separate record (docs/participation.md).
 */
export async function saveRegistration(
  db: Kysely<Database>,
  clock: Clock,
  request: { activityId: string; personId: number; values: Record<string, string>; language: Language },
): Promise<RegistrationOutcome> {
  return db.transaction().execute(async (trx) => {
    const now = clock.now();
    const activity = await trx.selectFrom('activities').selectAll().where('id', '=', request.activityId).forUpdate().executeTakeFirst();
    if (!activity) return { ok: false, code: 'unknown_activity' } as const;
    const invited = await trx
      .selectFrom('invitations')
      .leftJoin('rsvps', (j) => j.onRef('rsvps.activity_id', '=', 'invitations.activity_id').onRef('rsvps.person_id', '=', 'invitations.person_id'))
      .select(['rsvps.answer', 'rsvps.answered_at'])
      .where('invitations.activity_id', '=', activity.id)
      .where('invitations.person_id', '=', request.personId)
      .executeTakeFirst();
    if (!invited) return { ok: false, code: 'not_invited' } as const;
    const refusal = registrationRefusal(activity, invited.answered_at, now);
    if (refusal) return { ok: false, code: refusal } as const;
    if (invited.answer !== 'accepted' && invited.answer !== 'waiting') return { ok: false, code: 'not_accepted' } as const;
    const questions = await loadQuestions(trx, activity.id);
    if (questions.length === 0) return { ok: false, code: 'no_questions' } as const;
    const parsed = parseAnswers(questions, request.values, request.language);
    if (!parsed.ok) return { ok: false, code: 'invalid', field: parsed.field, text: parsed.text } as const;

    const before = await answersOf(trx, activity.id, request.personId);
    const unchanged = before.size === parsed.answers.size && [...parsed.answers].every(([q, v]) => before.get(q) === v);
    if (unchanged) return { ok: true, activity, questions, answers: parsed.answers, unchanged: true } as const;
    await trx.deleteFrom('registration_answers').where('activity_id', '=', activity.id).where('person_id', '=', request.personId).execute();
    const rows = [...parsed.answers].map(([question_id, value]) => ({ activity_id: activity.id, question_id, person_id: request.personId, value, answered_at: now }));
    if (rows.length) await trx.insertInto('registration_answers').values(rows).execute();
    return { ok: true, activity, questions, answers: parsed.answers, unchanged: false } as const;
  });
}

