import { sql, type Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/tables.js';
import { inTransaction } from '../db/transactions.js';
import type { AttendanceSubject } from './attendance-links.js';
import { membersAt } from './membership-periods.js';
import { activityDayWindow, meetingWindow, SELF_CHECKIN_EARLY_MINUTES, type PresenceWindow } from './presence-window.js';
import { coordinates } from '../bot/identity.js';

export type PresenceMethod = 'checkin' | 'self' | 'staff';

/** One person's presence at one meeting occurrence (refId = team, day = occurrence key) or one activity day. */
export interface PresenceMark {
  kind: 'meeting' | 'activity';
  refId: string;
  day: string;
  personId: number;
  present: boolean;
  method: PresenceMethod;
  /** Who records it: the coordinator, RCPS staff, or the person themselves (self check-in). */
  markedBy: number;
}

/**
 * Why a mark was refused; the caller words it politely (src/i18n/presence-messages.ts).
 * - no_subject: no such meeting or activity day, or it does not take place;
 * - not_allowed: the marker's role does not allow this (a member marking others);
 * - not_listed: the person is not a member or named substitute of the meeting / not invited;
 * - too_early: before the start (a self check-in: before it opens);
 * - too_late: after the late-change period (a self check-in: after the day ended).
 */
export type PresenceRefusal = 'no_subject' | 'not_allowed' | 'not_listed' | 'too_early' | 'too_late';

export type PresenceResult =
  /** corrected: a presence recorded before was changed (a late change: RCPS sees it in the audit trail). */
  | { ok: true; changed: boolean; corrected: boolean }
  | { ok: false; reason: PresenceRefusal; window?: PresenceWindow };

async function windowOf(db: Kysely<Database>, mark: Pick<PresenceMark, 'kind' | 'refId' | 'day'>): Promise<PresenceWindow | undefined> {
  if (mark.kind === 'meeting') return meetingWindow(db, mark.refId, mark.day);
  const activity = await db.selectFrom('activities').selectAll().where('id', '=', mark.refId).executeTakeFirst();
  return activity && activityDayWindow(activity, mark.day);
}

/** The roles rule: who may record this mark. */
async function allowed(db: Kysely<Database>, mark: PresenceMark): Promise<boolean> {
  const marker = await db.selectFrom('people').select(['id', 'staff_role']).where('id', '=', mark.markedBy).where('removed_at', 'is', null).executeTakeFirst();
  if (!marker) return false;
  const staff = marker.staff_role !== null;
  if (mark.method === 'self') return mark.markedBy === mark.personId && mark.kind === 'activity' && mark.present;
  if (mark.method === 'staff') return staff;
  // checkin: a current coordinator of the meeting's team, or RCPS staff.
  if (mark.kind !== 'meeting') return false;
  if (staff) return true;
  return coordinates(db, mark.markedBy, mark.refId);
}

/** Who can be marked: a member of the team then (or a substitute named for that occurrence, or anyone already recorded for it); for an activity, an invited person. */
async function listed(db: Kysely<Database>, mark: PresenceMark, window: PresenceWindow): Promise<boolean> {
  const person = await db.selectFrom('people').select('id').where('id', '=', mark.personId).where('removed_at', 'is', null).executeTakeFirst();
  if (!person) return false;
  if (mark.kind === 'activity') {
    return (await db.selectFrom('invitations').select('person_id').where('activity_id', '=', mark.refId).where('person_id', '=', mark.personId).executeTakeFirst()) !== undefined;
  }
  const member = await membersAt(db, mark.refId, window).select('memberships.person_id').where('memberships.person_id', '=', mark.personId).executeTakeFirst();
  if (member) return true;
  const substitute = await db
    .selectFrom('meeting_answers')
    .select('person_id')
    .where('team_id', '=', mark.refId)
    .where('occurrence_date', '=', mark.day)
    .where('substitute_person_id', '=', mark.personId)
    .executeTakeFirst();
  if (substitute) return true;
  // Someone with a presence already recorded for it (a substitute whose member came back) can be corrected.
  const recorded = await db
    .selectFrom('attendance')
    .select('person_id')
    .where('kind', '=', 'meeting')
    .where('ref_id', '=', mark.refId)
    .where('day', '=', mark.day)
    .where('person_id', '=', mark.personId)
    .executeTakeFirst();
  return recorded !== undefined;
}

/** When this mark may be made, by its method; a refusal reason, or undefined when now is inside. */
export function outsideWindow(window: PresenceWindow, method: PresenceMethod, now: Date): 'too_early' | 'too_late' | undefined {
  const at = now.getTime();
  if (method === 'self') {
    if (at < window.start.minus({ minutes: SELF_CHECKIN_EARLY_MINUTES }).toMillis()) return 'too_early';
    return at >= window.end.toMillis() ? 'too_late' : undefined;
  }
  if (at < window.start.toMillis()) return 'too_early';
  return at >= window.closes.toMillis() ? 'too_late' : undefined;
}

/** The checks of markPresence without writing: may this mark be made now? (A form asks this before showing a list.) */
export async function checkPresence(db: Kysely<Database>, mark: PresenceMark, now: Date): Promise<{ ok: true; window: PresenceWindow } | { ok: false; reason: PresenceRefusal; window?: PresenceWindow }> {
  const window = await windowOf(db, mark);
  if (!window) return { ok: false, reason: 'no_subject' };
  if (!(await allowed(db, mark))) return { ok: false, reason: 'not_allowed', window };
  if (!(await listed(db, mark, window))) return { ok: false, reason: 'not_listed', window };
  const outside = outsideWindow(window, mark.method, now);
  return outside ? { ok: false, reason: outside, window } : { ok: true, window };
}

/**
 * Records one person's presence, with its audit row, in one transaction (the caller's when it
 * has one). The checks run inside it, in this order: the subject exists, the marker may mark,
 * the person is on the list, the time is within the window. Marking what is already recorded
 * changes nothing and writes no audit row; the upsert decides that atomically, so two
 * coordinators confirming at once write one change.
 */
export async function markPresence(db: Kysely<Database>, mark: PresenceMark, clock: Clock): Promise<PresenceResult> {
  return inTransaction(db, async (trx) => {
    const now = clock.now();
    const checked = await checkPresence(trx, mark, now);
    if (!checked.ok) return checked;
    const before = await trx
      .selectFrom('attendance')
      .select('present')
      .where('kind', '=', mark.kind)
      .where('ref_id', '=', mark.refId)
      .where('day', '=', mark.day)
      .where('person_id', '=', mark.personId)
      .forUpdate()
      .executeTakeFirst();
    const row = { kind: mark.kind, ref_id: mark.refId, day: mark.day, person_id: mark.personId, present: mark.present, method: mark.method, marked_by: mark.markedBy, marked_at: now };
    const written = await trx
      .insertInto('attendance')
      .values(row)
      .onConflict((oc) =>
        oc
          .columns(['kind', 'ref_id', 'day', 'person_id'])
          .doUpdateSet({ present: mark.present, method: mark.method, marked_by: mark.markedBy, marked_at: now })
          .where(sql<boolean>`attendance.present is distinct from excluded.present`),
      )
      .returning('person_id')
      .executeTakeFirst();
    if (!written) return { ok: true, changed: false, corrected: false };
    await trx
      .insertInto('attendance_changes')
      .values({ kind: mark.kind, ref_id: mark.refId, day: mark.day, person_id: mark.personId, present: mark.present, method: mark.method, changed_by: mark.markedBy, changed_at: now })
      .execute();
    return { ok: true, changed: true, corrected: before !== undefined };
  });
}

export interface PresenceRow {
  kind: 'meeting' | 'activity';
  refId: string;
  day: string;
  personId: number;
  present: boolean;
  method: string;
  markedBy: number | null;
  markedAt: Date;
}

const columns = ['kind', 'ref_id', 'day', 'person_id', 'present', 'method', 'marked_by', 'marked_at'] as const;

function toRow(r: { kind: 'meeting' | 'activity'; ref_id: string; day: string; person_id: number; present: boolean; method: string; marked_by: number | null; marked_at: Date }): PresenceRow {
  return { kind: r.kind, refId: r.ref_id, day: r.day, personId: r.person_id, present: r.present, method: r.method, markedBy: r.marked_by, markedAt: r.marked_at };
}

/**
 * Presence as recorded for a meeting occurrence or an activity (one day, or every day when the
 * subject names none), for the lists, the summary and the PDF. Only what was recorded: a person
 * without a row was not confirmed either way.
 */
export async function presenceOf(db: Kysely<Database>, subject: AttendanceSubject): Promise<PresenceRow[]> {
  let query = db.selectFrom('attendance').select(columns).where('kind', '=', subject.kind).where('ref_id', '=', subject.refId);
  if (subject.day) query = query.where('day', '=', subject.day);
  return (await query.orderBy('day').orderBy('person_id').execute()).map(toRow);
}

/** One person's own presence, newest first (the personal page, moje-dane). */
export async function presenceOfPerson(db: Kysely<Database>, personId: number): Promise<PresenceRow[]> {
  const rows = await db.selectFrom('attendance').select(columns).where('person_id', '=', personId).orderBy('day', 'desc').orderBy('ref_id').execute();
  return rows.map(toRow);
}
