import { sql, type Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { ActivityRow, Database, RsvpTable } from '../db/tables.js';
import { inTransaction } from '../db/transactions.js';
import { rsvpClosesAt } from './invitation-timing.js';
import { offerFreeSeats, placeOf, seatsTaken, settleSeats } from './seat-offers.js';
import { forgetRegistration } from '../registration/questions.js';

export { OFFER_WORKING_DAYS, offerDeadline, offerFreeSeats, placeOf, seatsTaken, sweepOffers, waitingList } from './seat-offers.js';

export type Answer = 'accepted' | 'declined' | 'maybe';

export type RsvpRefusal = 'unknown_activity' | 'not_invited' | 'cancelled' | 'past' | 'closed';

/**
 * Where the person stands after answering; `unchanged` when the same answer came twice (a double
 * click). `hasQuestions`: the activity asks registration questions (without them there is no form to show).
 */
export type RsvpOutcome =
  | { ok: true; status: Answer; unchanged: boolean; activity: ActivityRow; hasQuestions: boolean }
  | { ok: true; status: 'waiting'; place: number; unchanged: boolean; activity: ActivityRow; hasQuestions: boolean }
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
 *
 * Statements (issue 17: in the national week's conference hours a third of the service's profile
 * was spent sending statements, mostly waiting for a core behind PostgreSQL, and most of the
 * statements were answers'): the activity's lock, then one read of everything
 * else the answer needs (invitation, answer, offer, whether settling the seats could change
 * anything, whether the activity asks registration questions, and at a limited
 * activity the seats taken), then the answer's own writes. That read is a statement of its own
 * after the lock, not part of it: a statement's snapshot is taken before it waits for (or takes)
 * the lock, so one that locked and read together could miss what the transaction it waited for
 * (a double click, a seat offered to this person) had just committed.
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
    const read = await answerState(trx, activity, request.personId, now);
    if (!read) return { ok: false, code: 'not_invited' } as const;
    const hasQuestions = read.has_questions;
    let current: CurrentAnswer = read;
    let taken = read.taken === null ? undefined : Number(read.taken);
    // settleSeats (lapse what is overdue, offer what is free) as every answer always did, when it can change anything.
    if (read.unsettled) {
      const settled = await settleSeats(trx, activity, now);
      if (settled.lapsed + settled.offered > 0) {
        current = await currentAnswer(trx, activity.id, request.personId);
        taken = undefined;
      }
    }
    const holdsOffer = !!current.offer_expires_at;
    // An offer made is kept until it lapses, even if the RSVP deadline was since moved before it.
    const refusal = refusalAt(activity, now);
    if (refusal && !(refusal === 'closed' && holdsOffer)) return { ok: false, code: refusal } as const;
    const onList = current.answer === 'waiting' && !current.offer_lapsed_at;

    let status: Answer | 'waiting' = request.answer;
    if (request.answer === 'accepted') {
      if (current.answer === 'accepted') return { ok: true, status: 'accepted', unchanged: true, activity, hasQuestions };
      const free = holdsOffer || activity.capacity === null || (taken ?? (await seatsTaken(trx, activity.id, now))) < activity.capacity;
      if (!free) status = 'waiting';
      // Already on the list: the place is kept (answering again must not move anyone back).
      if (status === 'waiting' && onList) return { ok: true, status, place: await placeOf(trx, activity.id, request.personId), unchanged: true, activity, hasQuestions };
    } else if (current.answer === request.answer) {
      return { ok: true, status: request.answer, unchanged: true, activity, hasQuestions };
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
    // A seat freed (settleSeats as always, minus what cannot change anything): nothing is overdue
    // any more at this `now` (none was, or the settling above lapsed it, and this answer only
    // clears its own offer), so only the offering is left; and at an activity without a limit no
    // one waits without an offer before the cut-off (see answerState), so there is nothing to offer.
    if ((current.answer === 'accepted' || holdsOffer) && activity.capacity !== null) await offerFreeSeats(trx, activity, now);
    // Registration answers (diet, nights…) are kept only for people coming; "accept" keeps its meaning.
    // Without questions there are none to forget (registration_answers references activity_questions).
    if ((status === 'declined' || status === 'maybe') && hasQuestions) await forgetRegistration(trx, activity.id, request.personId);
    if (status === 'waiting') return { ok: true, status, place: await placeOf(trx, activity.id, request.personId), unchanged: false, activity, hasQuestions };
    return { ok: true, status, unchanged: false, activity, hasQuestions };
  });
}

interface CurrentAnswer {
  answer: RsvpTable['answer'] | null;
  offer_expires_at: Date | null;
  offer_lapsed_at: Date | null;
}

/** The person's answer and offer, as they stand now. */
function currentAnswer(trx: Kysely<Database>, activityId: string, personId: number): Promise<CurrentAnswer> {
  return trx
    .selectFrom('invitations')
    .leftJoin('rsvps', (j) => j.onRef('rsvps.activity_id', '=', 'invitations.activity_id').onRef('rsvps.person_id', '=', 'invitations.person_id'))
    .select(['rsvps.answer', 'invitations.offer_expires_at', 'invitations.offer_lapsed_at'])
    .where('invitations.activity_id', '=', activityId)
    .where('invitations.person_id', '=', personId)
    .executeTakeFirstOrThrow();
}

/**
 * In one statement, under the activity's lock: the person's invitation (no row: not invited),
 * answer and offer; whether settleSeats could change anything; whether the activity asks
 * registration questions; and at an activity with a limit the seats taken (seatsTaken: accepted
 * plus offers standing), which stay true while nothing is settled.
 *
 * settleSeats changes something only if an offer of the activity is overdue (lapseOffers), or,
 * none being overdue, if someone is on the waiting list (answer "waiting", offer not lapsed)
 * without an offer while a seat is free (offerFreeSeats offers only to them, only free seats).
 * That second check reads the activity's rsvps, which have no index but their key: at a
 * 5,000-person conference it would read all 5,000 on every answer. It is made only at an
 * activity with a limit, where a waiting row can exist. Without a limit an accept is never put
 * on the list, and every change that could leave someone waiting without an offer there (the
 * limit lifted by chat or import, an import moving the RSVP deadline or the start, erasure)
 * offers the seats to the whole list in its own transaction (offerFreeSeats: "no limit at all
 * offers a seat to everyone waiting"); after the cut-off, or cancelled, offerFreeSeats offers
 * nothing anyway. So no one waits there without an offer while offers are made: invariant 4
 * of docs/invitations.md, which the model test checks after every step.
 */
async function answerState(trx: Kysely<Database>, activity: ActivityRow, personId: number, now: Date) {
  const id = activity.id;
  const seats =
    activity.capacity === null
      ? sql`select null::int as taken, false as free_for_waiting`
      : sql`select t.taken, t.taken < ${activity.capacity} and exists (select 1 from rsvps w join invitations wi on wi.activity_id = w.activity_id and wi.person_id = w.person_id
            where w.activity_id = ${id} and w.answer = 'waiting' and wi.offer_lapsed_at is null and wi.offer_expires_at is null) as free_for_waiting
          from (select ((select count(*) from rsvps a where a.activity_id = ${id} and a.answer = 'accepted')
            + (select count(*) from invitations o where o.activity_id = ${id} and o.offer_expires_at > ${now}))::int as taken) t`;
  const rows = await sql<CurrentAnswer & { unsettled: boolean; has_questions: boolean; taken: number | null }>`
    with seats as (${seats})
    select r.answer, i.offer_expires_at, i.offer_lapsed_at, seats.taken,
      (seats.free_for_waiting or exists (select 1 from invitations x where x.activity_id = ${id} and x.offer_expires_at <= ${now})) as unsettled,
      exists (select 1 from activity_questions q where q.activity_id = ${id}) as has_questions
    from invitations i left join rsvps r on r.activity_id = i.activity_id and r.person_id = i.person_id cross join seats
    where i.activity_id = ${id} and i.person_id = ${personId}`.execute(trx);
  return rows.rows[0];
}
