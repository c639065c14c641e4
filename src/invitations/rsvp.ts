import { sql, type Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { ActivityRow, Database } from '../db/tables.js';
import { inTransaction } from '../db/transactions.js';
import { rsvpClosesAt } from './invitation-timing.js';
import { placeOf, seatsTaken, settleSeats } from './seat-offers.js';
import { forgetRegistration } from '../registration/questions.js';

export { OFFER_WORKING_DAYS, offerDeadline, offerFreeSeats, placeOf, seatsTaken, sweepOffers, waitingList } from './seat-offers.js';

export type Answer = 'accepted' | 'declined' | 'maybe';

export type RsvpRefusal = 'unknown_activity' | 'not_invited' | 'cancelled' | 'past' | 'closed';

/** Where the person stands after answering; `unchanged` when the same answer came twice (a double click). */
export type RsvpOutcome =
  | { ok: true; status: Answer; unchanged: boolean; activity: ActivityRow }
  | { ok: true; status: 'waiting'; place: number; unchanged: boolean; activity: ActivityRow }
  | { ok: false; code: RsvpRefusal };

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
 * waiting list in the same transaction, with its message (seat-offers.ts). A caller's transaction
 * is joined (an e-mail reply records the answer with its inbound record and confirmation).
 */
export async function answerInvitation(
  db: Kysely<Database>,
  clock: Clock,
  request: { activityId: string; personId: number; answer: Answer },
): Promise<RsvpOutcome> {
  return inTransaction(db, async (trx) => {
    const now = clock.now();
    const activity = await trx.selectFrom('activities').selectAll().where('id', '=', request.activityId).forUpdate().executeTakeFirst();
    if (!activity) return { ok: false, code: 'unknown_activity' } as const;
    const exists = await trx.selectFrom('invitations').select('person_id').where('activity_id', '=', activity.id).where('person_id', '=', request.personId).executeTakeFirst();
    if (!exists) return { ok: false, code: 'not_invited' } as const;
    await settleSeats(trx, activity, now);
    const current = await trx
      .selectFrom('invitations')
      .leftJoin('rsvps', (j) => j.onRef('rsvps.activity_id', '=', 'invitations.activity_id').onRef('rsvps.person_id', '=', 'invitations.person_id'))
      .select(['rsvps.answer', 'invitations.offer_expires_at', 'invitations.offer_lapsed_at'])
      .where('invitations.activity_id', '=', activity.id)
      .where('invitations.person_id', '=', request.personId)
      .executeTakeFirstOrThrow();
    const holdsOffer = !!current.offer_expires_at;
    // An offer made is kept until it lapses, even if the RSVP deadline was since moved before it.
    const refusal = refusalAt(activity, now);
    if (refusal && !(refusal === 'closed' && holdsOffer)) return { ok: false, code: refusal } as const;
    const onList = current.answer === 'waiting' && !current.offer_lapsed_at;

    let status: Answer | 'waiting' = request.answer;
    if (request.answer === 'accepted') {
      if (current.answer === 'accepted') return { ok: true, status: 'accepted', unchanged: true, activity };
      const free = holdsOffer || activity.capacity === null || (await seatsTaken(trx, activity.id, now)) < activity.capacity;
      if (!free) status = 'waiting';
      // Already on the list: the place is kept (answering again must not move anyone back).
      if (status === 'waiting' && onList) return { ok: true, status, place: await placeOf(trx, activity.id, request.personId), unchanged: true, activity };
    } else if (current.answer === request.answer) {
      return { ok: true, status: request.answer, unchanged: true, activity };
    }
    // Joining the list draws the next place under the row lock: the order answers were recorded in.
    const listOrder = status === 'waiting' ? sql<string>`nextval('waiting_list_order')` : null;
    await trx
      .insertInto('rsvps')
      .values({ activity_id: activity.id, person_id: request.personId, answer: status, answered_at: now, list_order: listOrder })
      .onConflict((oc) => oc.columns(['activity_id', 'person_id']).doUpdateSet({ answer: status, answered_at: now, list_order: listOrder }))
      .execute();
    if (holdsOffer || current.offer_lapsed_at) {
      await trx.updateTable('invitations').set({ offer_expires_at: null, offer_lapsed_at: null }).where('activity_id', '=', activity.id).where('person_id', '=', request.personId).execute();
    }
    if (current.answer === 'accepted' || holdsOffer) await settleSeats(trx, activity, now);
    // Registration answers (diet, nights…) are kept only for people coming; "accept" keeps its meaning.
    if (status === 'declined' || status === 'maybe') await forgetRegistration(trx, activity.id, request.personId);
    if (status === 'waiting') return { ok: true, status, place: await placeOf(trx, activity.id, request.personId), unchanged: false, activity };
    return { ok: true, status, unchanged: false, activity };
  });
}
