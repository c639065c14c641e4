import type { PersonalDataPart } from '../privacy/personal-data.js';
import type { RetentionRule } from '../privacy/retention.js';

/**
 * Presence (attendance) and its audit trail: shown by moje-dane, erased with the person. The
 * audit rows the person made for others (as coordinator or staff) stay, their marker column
 * pointing at the anonymised person row ("osoba usunięta").
 */
export const presencePersonalData: PersonalDataPart = {
  name: 'attendance',
  async collect(db, personId) {
    const attendance = await db
      .selectFrom('attendance')
      .select(['kind', 'ref_id', 'day', 'present', 'method', 'marked_at'])
      .where('person_id', '=', personId)
      .orderBy('day')
      .orderBy('ref_id')
      .execute();
    const changes = await db
      .selectFrom('attendance_changes')
      .select(['kind', 'ref_id', 'day', 'present', 'method', 'changed_at'])
      .where('person_id', '=', personId)
      .orderBy('id')
      .execute();
    const wrongCodes = await db.selectFrom('checkin_failures').select('failed_at').where('person_id', '=', personId).orderBy('id').execute();
    return { attendance, changes, wrong_checkin_codes: wrongCodes };
  },
  async erase(trx, personId) {
    await trx.deleteFrom('checkin_failures').where('person_id', '=', personId).execute();
    await trx.deleteFrom('attendance_changes').where('person_id', '=', personId).execute();
    await trx.deleteFrom('attendance').where('person_id', '=', personId).execute();
  },
};

const count = (result: { numDeletedRows: bigint }) => Number(result.numDeletedRows);

/** Presence older than the retention period goes, with its audit trail (by when it was last marked). */
export const presenceRetentionRules: RetentionRule[] = [
  { name: 'attendance', purge: async (db, before) => count(await db.deleteFrom('attendance').where('marked_at', '<', before).executeTakeFirst()) },
  { name: 'checkin_failures', purge: async (db, before) => count(await db.deleteFrom('checkin_failures').where('failed_at', '<', before).executeTakeFirst()) },
  { name: 'attendance_changes', purge: async (db, before) => count(await db.deleteFrom('attendance_changes').where('changed_at', '<', before).executeTakeFirst()) },
];
