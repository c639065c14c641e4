import type { PersonalDataPart } from '../privacy/personal-data.js';

/**
 * The person's certificates (number, activity, days, hours, issue date): shown by moje-dane and
 * deleted with the person, after which their verification links say "no such certificate".
 */
export const certificatesPersonalData: PersonalDataPart = {
  name: 'certificates',
  collect: (db, id) =>
    db
      .selectFrom('certificates')
      .innerJoin('activities', 'activities.id', 'certificates.activity_id')
      .select(['certificates.number', 'certificates.activity_id', 'activities.title', 'certificates.days', 'certificates.minutes', 'certificates.issued_at', 'certificates.updated_at'])
      .where('certificates.person_id', '=', id)
      .orderBy('certificates.id')
      .execute(),
  erase: async (trx, id) => void (await trx.deleteFrom('certificates').where('person_id', '=', id).execute()),
};
