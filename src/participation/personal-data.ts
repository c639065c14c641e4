import type { Kysely } from 'kysely';
import type { Database } from '../db/tables.js';
import type { PersonalDataPart } from '../privacy/personal-data.js';
import type { RetentionRule } from '../privacy/retention.js';

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
