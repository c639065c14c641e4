import type { Kysely } from 'kysely';
import type { Database } from '../db/tables.js';
import type { AttendanceSubject } from './attendance-links.js';
import { coordinates } from '../bot/identity.js';

/**
 * Whether a person may see a lista obecności now: RCPS staff and admins every list, a team's
 * coordinator that team's meetings. Checked when the link is opened, not when it was made, so a
 * link stops working for someone who is no longer a coordinator (or was removed).
 */
export async function mayViewList(db: Kysely<Database>, viewerId: number, subject: AttendanceSubject): Promise<boolean> {
  const viewer = await db.selectFrom('people').select(['id', 'staff_role']).where('id', '=', viewerId).where('removed_at', 'is', null).executeTakeFirst();
  if (!viewer) return false;
  if (viewer.staff_role) return true;
  if (subject.kind !== 'meeting') return false;
  return coordinates(db, viewerId, subject.refId);
}
