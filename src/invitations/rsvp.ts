import { sql, type Kysely, type Transaction } from 'kysely';
import { DateTime } from 'luxon';
import type { Clock } from '../clock.js';
import type { ActivityRow, Database } from '../db/tables.js';
import { enqueue, type PlannedDelivery } from '../delivery/outbox.js';
import { addWorkingDays } from '../domain/holidays.js';
import type { ChannelKind } from '../ports/channel.port.js';
import { invitationDueAt, personTimingColumns, rsvpClosesAt, type InvitationTiming } from './invitation-timing.js';

export type Answer = 'accepted' | 'declined' | 'maybe';

/** Working days a person offered a freed seat has to confirm it, then the next on the list gets it. */
export const OFFER_WORKING_DAYS = 2;

export type RsvpRefusal = 'unknown_activity' | 'not_invited' | 'cancelled' | 'past' | 'closed';

/** Where the person stands after answering; `unchanged` when the same answer came twice (a double click). */
export type RsvpOutcome =
  | { ok: true; status: Answer; unchanged: boolean; activity: ActivityRow }
  | { ok: true; status: 'waiting'; place: number; unchanged: boolean; activity: ActivityRow }
  | { ok: false; code: RsvpRefusal };

type Trx = Transaction<Database> | Kysely<Database>;

/** Whether an activity still takes answers at `now`, and if not, why. */
export function refusalAt(activity: ActivityRow, now: Date): RsvpRefusal | undefined {
  if (activity.cancelled_at) return 'cancelled';
  if (activity.starts_at.getTime() <= now.getTime()) return 'past';
  const closes = rsvpClosesAt(activity);
  if (closes && now.getTime() > closes.getTime()) return 'closed';
  return undefined;
}

/**
 * Records an answer. Everything happens in one transaction holding the activity's row lock, so
 * two people accepting at once can never both take the last seat: the second waits for the
 * first to commit and then sees the seat taken. A freed seat is offered to the first on the
 * waiting list in the same transaction.
 */
export async function answerInvitation(
  db: Kysely<Database>,
  clock: Clock,
  request: { activityId: string; personId: number; answer: Answer },
): Promise<RsvpOutcome> {
  return db.transaction().execute(async (trx) => {
    const now = clock.now();
    const activity = await trx.selectFrom('activities').selectAll().where('id', '=', request.activityId).forUpdate().executeTakeFirst();
    if (!activity) return { ok: false, code: 'unknown_activity' } as const;
    const invitation = await trx
      .selectFrom('invitations')
      .selectAll()
      .where('activity_id', '=', activity.id)
      .where('person_id', '=', request.personId)
      .executeTakeFirst();
    if (!invitation) return { ok: false, code: 'not_invited' } as const;
    const refusal = refusalAt(activity, now);
    if (refusal) return { ok: false, code: refusal } as const;

    await lapseOffers(trx, activity, now);
    const current = await trx
      .selectFrom('rsvps')
      .leftJoin('invitations', (j) => j.onRef('invitations.activity_id', '=', 'rsvps.activity_id').onRef('invitations.person_id', '=', 'rsvps.person_id'))
      .select(['rsvps.answer', 'invitations.offer_expires_at'])
      .where('rsvps.activity_id', '=', activity.id)
      .where('rsvps.person_id', '=', request.personId)
      .executeTakeFirst();
    const holdsOffer = !!current?.offer_expires_at && current.offer_expires_at.getTime() > now.getTime();
    const heldSeat = current?.answer === 'accepted' || holdsOffer;

    let status: Answer | 'waiting' = request.answer;
    if (request.answer === 'accepted') {
      if (current?.answer === 'accepted') return { ok: true, status: 'accepted', unchanged: true, activity };
      if (!holdsOffer && activity.capacity !== null && (await seatsTaken(trx, activity.id, now)) >= activity.capacity) status = 'waiting';
      if (status === 'waiting' && current?.answer === 'waiting') {
        return { ok: true, status, place: await placeOf(trx, activity.id, request.personId), unchanged: true, activity };
      }
    } else if (current?.answer === request.answer) {
      return { ok: true, status: request.answer, unchanged: true, activity };
    }
    await trx
      .insertInto('rsvps')
      .values({ activity_id: activity.id, person_id: request.personId, answer: status, answered_at: now })
      .onConflict((oc) => oc.columns(['activity_id', 'person_id']).doUpdateSet({ answer: status, answered_at: now }))
      .execute();
    if (holdsOffer || current?.offer_expires_at) {
      await trx.updateTable('invitations').set({ offer_expires_at: null }).where('activity_id', '=', activity.id).where('person_id', '=', request.personId).execute();
    }
    if (heldSeat && status !== 'accepted') await offerFreeSeats(trx, activity, now);
    if (status === 'waiting') return { ok: true, status, place: await placeOf(trx, activity.id, request.personId), unchanged: false, activity };
    return { ok: true, status, unchanged: false, activity };
  });
}

/** Accepted answers plus seats offered and not yet lapsed. */
export async function seatsTaken(trx: Trx, activityId: string, now: Date): Promise<number> {
  const accepted = await trx
    .selectFrom('rsvps')
    .select(trx.fn.countAll<number>().as('n'))
    .where('activity_id', '=', activityId)
    .where('answer', '=', 'accepted')
    .executeTakeFirstOrThrow();
  const offered = await trx
    .selectFrom('invitations')
    .select(trx.fn.countAll<number>().as('n'))
    .where('activity_id', '=', activityId)
    .where('offer_expires_at', '>', now)
    .executeTakeFirstOrThrow();
  return Number(accepted.n) + Number(offered.n);
}

/** 1 for the first on the waiting list; the list is in order of answer. */
export async function placeOf(trx: Trx, activityId: string, personId: number): Promise<number> {
  const list = await waitingList(trx, activityId);
  return list.findIndex((w) => w.person_id === personId) + 1;
}

export async function waitingList(trx: Trx, activityId: string) {
  return trx
    .selectFrom('rsvps')
    .innerJoin('invitations', (j) => j.onRef('invitations.activity_id', '=', 'rsvps.activity_id').onRef('invitations.person_id', '=', 'rsvps.person_id'))
    .select(['rsvps.person_id', 'rsvps.answered_at', 'invitations.offer_expires_at'])
    .where('rsvps.activity_id', '=', activityId)
    .where('rsvps.answer', '=', 'waiting')
    .orderBy('rsvps.answered_at')
    .orderBy('rsvps.person_id')
    .execute();
}

/** An offer not confirmed in time lapses: the person leaves the list (they were told so) and the seat moves on. */
async function lapseOffers(trx: Trx, activity: ActivityRow, now: Date): Promise<boolean> {
  const lapsed = await trx
    .updateTable('invitations')
    .set({ offer_expires_at: null })
    .where('activity_id', '=', activity.id)
    .where('offer_expires_at', '<=', now)
    .returning('person_id')
    .execute();
  if (lapsed.length === 0) return false;
  await trx
    .updateTable('rsvps')
    .set({ answer: 'declined', answered_at: now })
    .where('activity_id', '=', activity.id)
    .where('person_id', 'in', lapsed.map((l) => l.person_id))
    .where('answer', '=', 'waiting')
    .execute();
  await offerFreeSeats(trx, activity, now);
  return true;
}

/** The deadline of an offer: the end of the second working day after today, but never after the start. */
export function offerDeadline(activity: ActivityRow, now: Date): Date {
  const today = DateTime.fromJSDate(now, { zone: activity.timezone }).toISODate()!;
  const end = DateTime.fromISO(addWorkingDays(today, OFFER_WORKING_DAYS), { zone: activity.timezone }).endOf('day').toJSDate();
  return end.getTime() < activity.starts_at.getTime() ? end : activity.starts_at;
}

/** Offers every free seat to the next on the waiting list who holds no offer yet, each with a message. */
export async function offerFreeSeats(trx: Trx, activity: ActivityRow, now: Date): Promise<number> {
  if (activity.capacity === null || activity.cancelled_at) return 0;
  const free = activity.capacity - (await seatsTaken(trx, activity.id, now));
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
    key: `rsvp-offer:${activity.id}:${p.id}:${deadline.toISOString()}`,
    kind: 'invitation',
    personId: p.id,
    channels: (typeof p.channels === 'string' ? JSON.parse(p.channels) : p.channels) as ChannelKind[],
    payload: { type: 'rsvp_offer', activityId: activity.id, personId: String(p.id), until: deadline.toISOString() },
    dueAt: dueAt({ ...timing, ...p }),
    expiresAt: deadline,
  }));
  await enqueue(trx as Kysely<Database>, offers);
  return candidates.length;
}

/** Lapses overdue offers of every open activity (the dispatcher's periodic sweep); answers do it too. */
export async function sweepOffers(db: Kysely<Database>, clock: Clock): Promise<number> {
  const now = clock.now();
  const due = await db.selectFrom('invitations').select('activity_id').distinct().where('offer_expires_at', '<=', now).execute();
  let moved = 0;
  for (const { activity_id } of due) {
    await db.transaction().execute(async (trx) => {
      const activity = await trx.selectFrom('activities').selectAll().where('id', '=', activity_id).forUpdate().executeTakeFirst();
      if (activity && (await lapseOffers(trx, activity, clock.now()))) moved++;
    });
  }
  return moved;
}
