import type { PersonalDataPart } from '../privacy/personal-data.js';

/**
 * The log of inbound mails bound to a person: when, by which transport, what it was taken for
 * and what was done (no content is stored). Erasure deletes the person's rows: the Message-IDs
 * go too, so a copy of an old mail offered again would be read anew and bind to no one.
 */
export const inboundMailPersonalData: PersonalDataPart = {
  name: 'inbound_mails',
  collect: (db, personId) =>
    db.selectFrom('inbound_mails').select(['received_at', 'transport', 'classified_as', 'outcome']).where('person_id', '=', personId).orderBy('received_at').execute(),
  erase: async (trx, personId) => void (await trx.deleteFrom('inbound_mails').where('person_id', '=', personId).execute()),
};

/** E-mail addresses of the person that bounced (src/inbound/bounces.ts): shown by moje-dane, erased with the person. */
export const bouncesPersonalData: PersonalDataPart = {
  name: 'mail_bounces',
  collect: (db, personId) =>
    db.selectFrom('mail_bounces').select(['address', 'status', 'diagnostic', 'bounces', 'first_bounce_at', 'last_bounce_at']).where('person_id', '=', personId).execute(),
  async erase(trx, personId) {
    await trx.deleteFrom('mail_bounces').where('person_id', '=', personId).execute();
  },
};
