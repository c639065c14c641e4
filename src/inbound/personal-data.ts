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
