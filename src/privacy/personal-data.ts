import { sql, type Kysely, type Transaction } from 'kysely';
import type { Clock } from '../clock.js';
import { bumpDataVersion } from '../db/data-version.js';
import type { Database } from '../db/tables.js';
import { recordErasure } from './erasures.js';
import { ERASED_NAME, erasedEmail } from '../i18n/erased-person.js';

export { ERASED_NAME, erasedEmail };
import { reportsPersonalData } from '../reports/personal-data.js';
import { invitationsPersonalData } from '../invitations/personal-data.js';
import { presencePersonalData } from '../participation/personal-data.js';
import { bouncesPersonalData, inboundMailPersonalData } from '../inbound/personal-data.js';
import { certificatesPersonalData } from '../participation/certificates-personal-data.js';
import { registrationPersonalData } from '../registration/personal-data.js';
import { lockActivities } from '../invitations/capacity.js';
import { holdImportLock } from '../schedule/import-lock.js';
import { absencePeriodsPart, meetingAnswersPart } from '../participation/personal-data.js';

/**
 * One area's share of a person's data (RODO art. 15 and 17). Every table that holds something
 * about a person has a part here; adding a table means adding one line to `personalDataParts`.
 *
 * @example
 * // src/reports/reports-personal-data.ts
 * export const reportsPart: PersonalDataPart = {
 *   name: 'reports',
 *   collect: (db, id) => db.selectFrom('reports').selectAll().where('author_id', '=', id).execute(),
 *   // Reports stay for RCPS's records; the author becomes "osoba usunięta" (ERASED_NAME).
 *   erase: (trx, id) => scrubPersonEverywhere(trx, id, [{ table: 'reports', column: 'text' }]),
 * };
 * // and here: personalDataParts = [..., reportsPart, peoplePart]
 */
export interface PersonalDataPart {
  name: string;
  collect(db: Kysely<Database>, personId: number): Promise<unknown>;
  /** Runs inside the erasure's transaction, before `people` is anonymised (the name and e-mail are still readable). */
  /** `now`: for what the erasure sets in motion (a freed seat offered on); erasePersonalData always gives it. */
  erase(trx: Kysely<Database>, personId: number, now?: Date): Promise<void>;
}

// ERASED_NAME replaces a name wherever a record must stay (reports, messages sent to others);
// readers see it in their language (src/i18n/erased-person.ts).

/** The person's name and e-mail, as long as they are still there. */
async function identity(db: Kysely<Database>, personId: number): Promise<{ name: string; email: string } | undefined> {
  return db.selectFrom('people').select(['name', 'email']).where('id', '=', personId).executeTakeFirst();
}

/**
 * Replaces the person's name and e-mail in free text (text or jsonb columns) with ERASED_NAME:
 * messages to other people and change records keep their sense, but no longer name them.
 */
export async function scrubPersonEverywhere(trx: Kysely<Database>, personId: number, columns: { table: string; column: string }[]): Promise<void> {
  const who = await identity(trx, personId);
  if (!who) return;
  const types = await sql<{ table_name: string; column_name: string; data_type: string }>`
    select table_name, column_name, data_type from information_schema.columns
    where table_schema = current_schema()`.execute(trx);
  const typeOf = new Map(types.rows.map((r) => [`${r.table_name}.${r.column_name}`, r.data_type]));
  for (const needle of [who.email, who.name].filter((n) => n.length >= 3)) {
    for (const { table, column } of columns) {
      const type = typeOf.get(`${table}.${column}`);
      const col = sql.ref(column);
      if (type === 'jsonb' || type === 'json') {
        // jsonb's text form escapes like JSON.stringify does; the replacement stays valid JSON.
        const inJson = JSON.stringify(needle).slice(1, -1);
        await sql`update ${sql.table(table)} set ${col} = replace(${col}::text, ${inJson}, ${ERASED_NAME})::jsonb where strpos(${col}::text, ${inJson}) > 0`.execute(trx);
      } else if (type) {
        await sql`update ${sql.table(table)} set ${col} = replace(${col}, ${needle}, ${ERASED_NAME}) where strpos(${col}, ${needle}) > 0`.execute(trx);
      }
    }
  }
}

const peoplePart: PersonalDataPart = {
  name: 'people',
  collect: (db, id) =>
    db
      .selectFrom('people')
      .select(['id', 'email', 'name', 'institution', 'language', 'channels', 'staff_role', 'source', 'created_at', 'updated_at', 'removed_at'])
      .where('id', '=', id)
      .executeTakeFirst(),
  // The row stays (with its id) so that records kept for RCPS still point at "osoba usunięta".
  erase: async (trx, id) => {
    await trx
      .updateTable('people')
      .set({ email: erasedEmail(id), name: ERASED_NAME, institution: null, channels: '[]', staff_role: null })
      .where('id', '=', id)
      .execute();
  },
};

const membershipsPart: PersonalDataPart = {
  name: 'memberships',
  collect: (db, id) =>
    db
      .selectFrom('memberships')
      .innerJoin('teams', 'teams.id', 'memberships.team_id')
      .select(['memberships.team_id', 'teams.name as team_name', 'memberships.role', 'memberships.created_at', 'memberships.removed_at'])
      .where('memberships.person_id', '=', id)
      .execute(),
  erase: async (trx, id) => void (await trx.deleteFrom('memberships').where('person_id', '=', id).execute()),
};

/** When the person was a member of each team (membership history: the attendance questions read it). */
const membershipPeriodsPart: PersonalDataPart = {
  name: 'membership_periods',
  collect: (db, id) =>
    db.selectFrom('membership_periods').select(['team_id', 'started_at', 'ended_at']).where('person_id', '=', id).orderBy('team_id').orderBy('started_at').execute(),
  erase: async (trx, id) => void (await trx.deleteFrom('membership_periods').where('person_id', '=', id).execute()),
};

const channelsPart: PersonalDataPart = {
  name: 'person_channels',
  collect: (db, id) => db.selectFrom('person_channels').select(['channel', 'external_id', 'address', 'linked_at']).where('person_id', '=', id).execute(),
  erase: async (trx, id) => void (await trx.deleteFrom('person_channels').where('person_id', '=', id).execute()),
};

const preferencesPart: PersonalDataPart = {
  name: 'preferences',
  collect: (db, id) => db.selectFrom('preferences').selectAll().where('person_id', '=', id).executeTakeFirst(),
  erase: async (trx, id) => void (await trx.deleteFrom('preferences').where('person_id', '=', id).execute()),
};

const feedTokensPart: PersonalDataPart = {
  name: 'feed_tokens',
  // The token itself is never stored; its hash and nonce would tell the person nothing.
  collect: (db, id) => db.selectFrom('feed_tokens').select(['id', 'created_at', 'revoked_at']).where('person_id', '=', id).orderBy('id').execute(),
  erase: async (trx, id) => void (await trx.deleteFrom('feed_tokens').where('person_id', '=', id).execute()),
};

const personalLinksPart: PersonalDataPart = {
  name: 'personal_links',
  // Like feed tokens: when each page link or confirmation was made and how it ended, never its hash or nonce.
  collect: (db, id) =>
    db.selectFrom('personal_links').select(['id', 'purpose', 'created_at', 'expires_at', 'used_at', 'revoked_at']).where('person_id', '=', id).orderBy('id').execute(),
  // Kept: the rows hold no name or address, and they stop working with the person (the routes find
  // no live person and answer 410 "gone", which an erased person's old link should say, not "unknown").
  erase: async () => undefined,
};

const rsvpsPart: PersonalDataPart = {
  name: 'rsvps',
  collect: (db, id) =>
    db
      .selectFrom('rsvps')
      .innerJoin('activities', 'activities.id', 'rsvps.activity_id')
      .select(['rsvps.activity_id', 'activities.title', 'activities.starts_at', 'rsvps.answer', 'rsvps.answered_at'])
      .where('rsvps.person_id', '=', id)
      .orderBy('activities.starts_at')
      .execute(),
  erase: async (trx, id) => void (await trx.deleteFrom('rsvps').where('person_id', '=', id).execute()),
};

const deliveriesPart: PersonalDataPart = {
  name: 'deliveries',
  collect: (db, id) =>
    db
      .selectFrom('deliveries')
      .select(['id', 'kind', 'state', 'channels', 'sent_channel', 'payload', 'due_at', 'sent_at', 'last_error', 'created_at'])
      .where('person_id', '=', id)
      .orderBy('id')
      .execute(),
  // Rows stay for the delivery statistics, emptied of what they said; what was still to be sent is cancelled.
  erase: async (trx, id) => {
    await scrubPersonEverywhere(trx, id, [
      { table: 'deliveries', column: 'payload' },
      { table: 'deliveries', column: 'last_error' },
    ]);
    await trx.updateTable('deliveries').set({ state: 'cancelled' }).where('person_id', '=', id).where('state', 'in', ['pending']).execute();
    await trx
      .updateTable('deliveries')
      .set({ payload: JSON.stringify({ erased: true }), last_error: null, provider_id: null, claimed_by: null, claimed_at: null })
      .where('person_id', '=', id)
      .execute();
  },
};

const scheduleChangesPart: PersonalDataPart = {
  name: 'schedule_changes',
  collect: (db, id) => db.selectFrom('schedule_changes').select(['kind', 'team_id', 'details', 'created_at']).where('person_id', '=', id).execute(),
  erase: async (trx, id) => {
    await scrubPersonEverywhere(trx, id, [{ table: 'schedule_changes', column: 'details' }]);
    await trx.deleteFrom('schedule_changes').where('person_id', '=', id).execute();
  },
};

/** Every part, in the order of the export. `people` is always erased last (see erasePersonalData). */
export const personalDataParts: PersonalDataPart[] = [
  peoplePart,
  membershipsPart,
  membershipPeriodsPart,
  channelsPart,
  preferencesPart,
  feedTokensPart,
  personalLinksPart,
  rsvpsPart,
  deliveriesPart,
  scheduleChangesPart,
  reportsPersonalData,
  invitationsPersonalData,
  presencePersonalData,
  bouncesPersonalData,
  certificatesPersonalData,
  registrationPersonalData,
  meetingAnswersPart,
  absencePeriodsPart,
  inboundMailPersonalData,
];

export interface PersonalDataExport {
  exportedAt: string;
  personId: number;
  parts: Record<string, unknown>;
}

/** Everything stored about the person, part by part (the JSON file of "moje-dane"). */
export async function collectPersonalData(db: Kysely<Database>, personId: number, clock: Clock): Promise<PersonalDataExport> {
  const parts: Record<string, unknown> = {};
  for (const part of personalDataParts) parts[part.name] = (await part.collect(db, personId)) ?? null;
  return { exportedAt: clock.now().toISOString(), personId, parts };
}

/**
 * Erases the person, all or nothing: every part in one transaction, `people` last so the
 * others can still find the name and e-mail to scrub. The e-mail's hash is kept so that a
 * re-import does not silently bring the person back (src/privacy/erasures.ts).
 */
export async function erasePersonalData(db: Kysely<Database>, personId: number, clock: Clock): Promise<boolean> {
  return db.transaction().execute((trx) => erasePersonalDataIn(trx, personId, clock));
}

/**
 * The locks every other writer takes before the person's row, taken first and in the same order,
 * so that none waits for the erasure while holding what the erasure needs (PostgreSQL would
 * abort one of the two, 40P01):
 * - the import's lock: an import locks the file's activities, then updates memberships, whose
 *   inserts take a key share on the person's row; with the erasure in between they deadlocked,
 *   and an import finishing during the erasure could leave the erased person a membership;
 * - the activities the person is invited to or answered, in id order (lockActivities): an answer
 *   or a freed seat's offer locks the activity, then writes the person's answer or invitation
 *   (a key share on their row, or the very rows the erasure deletes).
 * An invitation made between the read and the person's lock is locked later, out of this order;
 * once the person's row is locked no new one can be made (its key share waits).
 */
async function lockInOrder(trx: Transaction<Database>, personId: number): Promise<void> {
  await holdImportLock(trx);
  const invited = await trx.selectFrom('invitations').select('activity_id').where('person_id', '=', personId).execute();
  const answered = await trx.selectFrom('rsvps').select('activity_id').where('person_id', '=', personId).execute();
  await lockActivities(trx, [...invited, ...answered].map((r) => r.activity_id));
}

/** The erasure inside a transaction the caller holds (a confirmation link is spent in the same one). */
export async function erasePersonalDataIn(trx: Transaction<Database>, personId: number, clock: Clock): Promise<boolean> {
  await lockInOrder(trx, personId);
  const person = await trx.selectFrom('people').select(['id', 'email']).where('id', '=', personId).forUpdate().executeTakeFirst();
  if (!person || person.email === erasedEmail(personId)) return false;
  await recordErasure(trx, person.email, personId, clock.now());
  const ordered = [...personalDataParts.filter((p) => p.name !== 'people'), ...personalDataParts.filter((p) => p.name === 'people')];
  for (const part of ordered) await part.erase(trx, personId, clock.now());
  await trx.updateTable('people').set({ removed_at: clock.now(), updated_at: clock.now() }).where('id', '=', personId).execute();
  await bumpDataVersion(trx);
  return true;
}
