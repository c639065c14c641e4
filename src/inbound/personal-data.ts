import type { PersonalDataPart } from '../privacy/personal-data.js';

/** E-mail addresses of the person that bounced (src/inbound/bounces.ts): shown by moje-dane, erased with the person. */
export const bouncesPersonalData: PersonalDataPart = {
  name: 'mail_bounces',
  collect: (db, personId) =>
    db.selectFrom('mail_bounces').select(['address', 'status', 'diagnostic', 'bounces', 'first_bounce_at', 'last_bounce_at']).where('person_id', '=', personId).execute(),
  async erase(trx, personId) {
    await trx.deleteFrom('mail_bounces').where('person_id', '=', personId).execute();
  },
};
