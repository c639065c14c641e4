import type { PersonalDataPart } from '../privacy/personal-data.js';
import { fromRow, valueText } from './questions.js';

/**
 * Answers to registration questions (diet, nights, transport, accessibility): shown by
 * `moje-dane` and the JSON export with the question and the activity, erased with the person.
 * A decline or "maybe" removes them too (rsvp.ts), and retention.ts after the activity.
 */
export const registrationPersonalData: PersonalDataPart = {
  name: 'registration_answers',
  async collect(db, personId) {
    const rows = await db
      .selectFrom('registration_answers')
      .innerJoin('activity_questions', (j) =>
        j.onRef('activity_questions.activity_id', '=', 'registration_answers.activity_id').onRef('activity_questions.question_id', '=', 'registration_answers.question_id'),
      )
      .innerJoin('activities', 'activities.id', 'registration_answers.activity_id')
      .selectAll('activity_questions')
      .select(['activities.title', 'registration_answers.value', 'registration_answers.answered_at'])
      .where('registration_answers.person_id', '=', personId)
      .orderBy('activities.starts_at')
      .orderBy('activity_questions.position')
      .execute();
    return rows.map((r) => ({
      activity_id: r.activity_id,
      activity: r.title,
      question: r.label,
      answer: valueText(fromRow(r), r.value, 'pl'),
      answered_at: r.answered_at,
    }));
  },
  erase: async (trx, personId) => void (await trx.deleteFrom('registration_answers').where('person_id', '=', personId).execute()),
};
