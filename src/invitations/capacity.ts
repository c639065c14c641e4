import type { ActivityRow } from '../db/tables.js';
import { sql } from 'kysely';
import { lapseOffers, offerFreeSeats, type Trx } from './seat-offers.js';

/** Seats held at an activity: accepted, and offered to the waiting list with the offer still standing. */
export interface HeldSeats {
  accepted: number;
  offered: number;
}

export type CapacityChange =
  | { ok: true; activity: ActivityRow; offered: number }
  | { ok: false; code: 'unknown_activity' }
  | { ok: false; code: 'below_held'; held: HeldSeats };

/** Locks the activities' rows in id order, so two writers locking several never wait on each other crosswise. */
export async function lockActivities(trx: Trx, ids: string[]): Promise<ActivityRow[]> {
  if (ids.length === 0) return [];
  return trx.selectFrom('activities').selectAll().where('id', 'in', [...new Set(ids)]).orderBy('id').forUpdate().execute();
}

/**
 * Locks the activities' rows (lockActivities),
 * lapses overdue offers, then tells how many seats each holds. A capacity is only ever checked
 * under this lock: an accept committing in between would otherwise be overbooked. The caller
 * offers what is free (offerFreeSeats) once the new capacity is written.
 */
export async function lockSeats(trx: Trx, ids: string[], now: Date): Promise<Map<string, HeldSeats>> {
  const activities = await lockActivities(trx, ids);
  if (activities.length === 0) return new Map();
  const locked = activities.map((a) => a.id);
  // Set-based (one statement each, whatever the number of activities): an import checks them all.
  await lapseOffers(trx, locked, now);
  const rows = await sql<{ id: string; accepted: number; offered: number }>`
    select a.id,
      (select count(*) from rsvps r where r.activity_id = a.id and r.answer = 'accepted')::int as accepted,
      (select count(*) from invitations i where i.activity_id = a.id and i.offer_expires_at > ${now})::int as offered
    from activities a where a.id in (${sql.join(locked)})`.execute(trx);
  return new Map(rows.rows.map((r) => [r.id, { accepted: Number(r.accepted), offered: Number(r.offered) }]));
}

/** Whether `capacity` leaves room for every seat held: an offer made must stay takeable until it lapses. */
export const fitsHeld = (capacity: number | null, held: HeldSeats): boolean => capacity === null || capacity >= held.accepted + held.offered;

/**
 * The one change of seats of `warsztaty miejsca`: under the row lock, never below the seats
 * held, and whatever it frees is offered to the waiting list in the same transaction. An import
 * follows the same rules (lockSeats before its check, offerFreeSeats after its writes).
 */
export async function changeCapacity(trx: Trx, activityId: string, capacity: number | null, now: Date): Promise<CapacityChange> {
  const held = (await lockSeats(trx, [activityId], now)).get(activityId);
  if (!held) return { ok: false, code: 'unknown_activity' };
  if (!fitsHeld(capacity, held)) {
    // Refused, but the offers lapsed on the way still free their seats: offered on at the old capacity.
    await offerFreeSeats(trx, (await lockActivities(trx, [activityId]))[0]!, now);
    return { ok: false, code: 'below_held', held };
  }
  const activity = await trx.updateTable('activities').set({ capacity }).where('id', '=', activityId).returningAll().executeTakeFirstOrThrow();
  const offered = await offerFreeSeats(trx, activity, now);
  return { ok: true, activity, offered };
}
