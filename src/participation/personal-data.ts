import type { Kysely } from 'kysely';
import type { Database } from '../db/tables.js';
import type { PersonalDataPart } from '../privacy/personal-data.js';

/** A person's answers before meetings, and where others named them as substitute (moje-dane). */
export const meetingAnswersPart: PersonalDataPart = {
  name: 'meeting_answers',
  collect: async (db: Kysely<Database>, id: number) => ({
    own: await db
      .selectFrom('meeting_answers')
      .select(['team_id', 'occurrence_date', 'answer', 'reason', 'substitute_email', 'source', 'absence_id', 'answered_at'])
      .where('person_id', '=', id)
      .orderBy('occurrence_date')
      .execute(),
    asSubstitute: await db
      .selectFrom('meeting_answers')
      .select(['team_id', 'occurrence_date'])
      .where('substitute_person_id', '=', id)
      .orderBy('occurrence_date')
      .execute(),
  }),
  // Their own answers go; where they were someone's substitute, the other's "nie będę" stays without naming them.
  erase: async (trx, id) => {
    await trx.deleteFrom('meeting_answers').where('person_id', '=', id).execute();
    await trx.updateTable('meeting_answers').set({ substitute_person_id: null, substitute_email: null }).where('substitute_person_id', '=', id).execute();
  },
};

export const absencePeriodsPart: PersonalDataPart = {
  name: 'absence_periods',
  collect: (db, id) => db.selectFrom('absence_periods').select(['id', 'starts_on', 'ends_on', 'created_at', 'removed_at']).where('person_id', '=', id).orderBy('starts_on').execute(),
  // After meeting_answers (whose absence answers point here).
  erase: async (trx, id) => void (await trx.deleteFrom('absence_periods').where('person_id', '=', id).execute()),
};
