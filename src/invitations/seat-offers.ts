import { sql, type Kysely, type Transaction } from 'kysely';
import { DateTime } from 'luxon';
import type { Clock } from '../clock.js';
import type { ActivityRow, Database } from '../db/tables.js';
import { notClaimedNow } from '../delivery/claims.js';
import { enqueue, type PlannedDelivery } from '../delivery/outbox.js';
import { addWorkingDays } from '../domain/holidays.js';
import type { ChannelKind } from '../ports/channel.port.js';
import { invitationDueAt, personTimingColumns, rsvpClosesAt, type InvitationTiming } from './invitation-timing.js';

/** Working days a person offered a freed seat has to confirm it, then the next on the list gets it. */
export const OFFER_WORKING_DAYS = 2;

/** Without an earlier RSVP deadline, seats stop being offered this long before the start. */
export const OFFER_CUTOFF_HOURS = 24;

export type Trx = Transaction<Database> | Kysely<Database>;

/**
 * The seat rules of docs/invitations.md, in one place for answers, the sweep and every change of
 * capacity (chat or import). Each function expects the activity's row lock to be held.
 */

/** When seats stop being offered: the close of answers, or 24 hours before the start if that is earlier. */
export function offersCloseAt(activity: Pick<ActivityRow, 'rsvp_by' | 'timezone' | 'starts_at'>): Date {
  const cutoff = new Date(activity.starts_at.getTime() - OFFER_CUTOFF_HOURS * 3600_000);
  const closes = rsvpClosesAt(activity);
  return closes && closes < cutoff ? closes : cutoff;
}

/** An offer's deadline: the end of the second working day after today (activity's zone), never after offers close. */
export function offerDeadline(activity: ActivityRow, now: Date): Date {
  const today = DateTime.fromJSDate(now, { zone: activity.timezone }).toISODate()!;
  const end = DateTime.fromISO(addWorkingDays(today, OFFER_WORKING_DAYS), { zone: activity.timezone }).endOf('day').toJSDate();
  const close = offersCloseAt(activity);
  return end < close ? end : close;
}

/** Seats accepted and seats offered whose offer still stands. */
export async function seatsHeld(trx: Trx, activityId: string, now: Date): Promise<{ accepted: number; offered: number }> {
  const row = await sql<{ accepted: number; offered: number }>`
    select (select count(*) from rsvps where activity_id = ${activityId} and answer = 'accepted')::int as accepted,
      (select count(*) from invitations where activity_id = ${activityId} and offer_expires_at > ${now})::int as offered`.execute(trx);
  return { accepted: Number(row.rows[0]!.accepted), offered: Number(row.rows[0]!.offered) };
}

export async function seatsTaken(trx: Trx, activityId: string, now: Date): Promise<number> {
  const held = await seatsHeld(trx, activityId, now);
  return held.accepted + held.offered;
}

/** The waiting list in order of joining it: people whose answer is "waiting list" and whose offer did not lapse. */
export async function waitingList(trx: Trx, activityId: string) {
  return trx
    .selectFrom('rsvps')
    .innerJoin('invitations', (j) => j.onRef('invitations.activity_id', '=', 'rsvps.activity_id').onRef('invitations.person_id', '=', 'rsvps.person_id'))
    .select(['rsvps.person_id', 'rsvps.answered_at', 'invitations.offer_expires_at'])
    .where('rsvps.activity_id', '=', activityId)
    .where('rsvps.answer', '=', 'waiting')
    .where('invitations.offer_lapsed_at', 'is', null)
    .orderBy('rsvps.list_order')
    .orderBy('rsvps.answered_at')
    .orderBy('rsvps.person_id')
    .execute();
}

/** 1 for the first on the waiting list, 0 for someone not on it. */
export async function placeOf(trx: Trx, activityId: string, personId: number): Promise<number> {
  const list = await waitingList(trx, activityId);
  return list.findIndex((w) => w.person_id === personId) + 1;
}

/**
 * Offers not confirmed by their deadline lapse: the person leaves the waiting list, their answer
 * stays what they said (the lapse is recorded beside it, never as a decline).
 */
export async function lapseOffers(trx: Trx, activityIds: string[], now: Date): Promise<number> {
  if (activityIds.length === 0) return 0;
  // Built with Kysely, not raw SQL: the data-version watch sees only built writes to shown tables.
  const lapsed = await trx
    .updateTable('invitations')
    .set((eb) => ({ offer_lapsed_at: eb.ref('offer_expires_at'), offer_expires_at: null }))
    .where('activity_id', 'in', activityIds)
    .where('offer_expires_at', '<=', now)
    .executeTakeFirst();
  return Number(lapsed.numUpdatedRows);
}

/**
 * Offers every free seat to the next on the waiting list who holds no offer yet, each with its
 * message in the same transaction; nothing once offers have closed (the list then stays as it is).
 */
export async function offerFreeSeats(trx: Trx, activity: ActivityRow, now: Date): Promise<number> {
  if (activity.cancelled_at || now >= offersCloseAt(activity)) return 0;
  const free = activity.capacity === null ? Infinity : activity.capacity - (await seatsTaken(trx, activity.id, now));
  if (free <= 0) return 0;
  const candidates = (await waitingList(trx, activity.id)).filter((w) => !w.offer_expires_at).slice(0, free);
  if (candidates.length === 0) return 0;
  const deadline = offerDeadline(activity, now);
  const ids = candidates.map((c) => c.person_id);
  await trx.updateTable('invitations').set({ offer_expires_at: deadline }).where('activity_id', '=', activity.id).where('person_id', 'in', ids).execute();
  // Not urgent enough to wake anyone: it keeps the person's quiet hours like an invitation (issue 6).
  const people = await sql<{ id: number; channels: unknown } & Pick<InvitationTiming, 'zone' | 'quiet_from' | 'quiet_to'>>`
    select p.id, p.channels, ${personTimingColumns(sql.ref('p.id'), sql`${activity.timezone}`)}
    from people p left join preferences q on q.person_id = p.id
    where p.id in (${sql.join(ids)})`.execute(trx);
  const dueAt = invitationDueAt(now);
  const timing = { starts_at: activity.starts_at, rsvp_by: activity.rsvp_by, activity_zone: activity.timezone, until: deadline };
  const offers: PlannedDelivery[] = people.rows.map((p) => ({
    // The instant of the offer, not its deadline: a person offered a seat again the same day
    // (after leaving the list and coming back) gets a message again.
    key: `rsvp-offer:${activity.id}:${p.id}:${now.toISOString()}`,
    kind: 'invitation',
    personId: p.id,
    channels: (typeof p.channels === 'string' ? JSON.parse(p.channels) : p.channels) as ChannelKind[],
    payload: { type: 'rsvp_offer', activityId: activity.id, personId: String(p.id), until: deadline.toISOString() },
    dueAt: dueAt({ ...timing, ...p }),
    expiresAt: deadline,
  }));
  // An earlier offer's message to the same person not yet sent (they gave that offer up and came
  // back) would, with the same deadline, read as this offer's: one message per offer.
  await trx
    .deleteFrom('deliveries')
    .where('person_id', 'in', ids)
    .where('kind', '=', 'invitation')
    .where(sql<boolean>`payload->>'type' = 'rsvp_offer' and payload->>'activityId' = ${activity.id}`)
    .where('state', '=', 'pending')
    .where(notClaimedNow())
    .execute();
  await enqueue(trx as Kysely<Database>, offers);
  return candidates.length;
}

/** Lapses what is overdue, then offers what is free: the one step after any change of seats. */
export async function settleSeats(trx: Trx, activity: ActivityRow, now: Date): Promise<{ lapsed: number; offered: number }> {
  const lapsed = await lapseOffers(trx, [activity.id], now);
  return { lapsed, offered: await offerFreeSeats(trx, activity, now) };
}

/** Lapses overdue offers of every activity (the dispatcher's sweep every 15 minutes); answers do it too. */
export async function sweepOffers(db: Kysely<Database>, clock: Clock): Promise<number> {
  const due = await db.selectFrom('invitations').select('activity_id').distinct().where('offer_expires_at', '<=', clock.now()).execute();
  let moved = 0;
  for (const { activity_id } of due) {
    await db.transaction().execute(async (trx) => {
      const activity = await trx.selectFrom('activities').selectAll().where('id', '=', activity_id).forUpdate().executeTakeFirst();
      if (activity && (await settleSeats(trx, activity, clock.now())).lapsed > 0) moved++;
    });
  }
  return moved;
}
