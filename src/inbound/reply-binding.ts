import { sql, type Kysely } from 'kysely';
import type { Database, PersonRow } from '../db/tables.js';
import { activityOfUid, type Itip } from './itip.js';
import type { ParsedMail } from './parse-mail.js';
import { bareAddress, type ReplyRef } from './reply-address.js';
import { topicOf, type Topic } from './reply-topic.js';

export type UnverifiedReason = 'unknown_address' | 'bad_signature' | 'other_person' | 'dmarc_failed' | 'not_invited';

export type Signed = { ref: ReplyRef } | { ref: undefined; reason: 'unknown_address' | 'bad_signature' };

export type Bound = { person: PersonRow; topic: Topic; deliveryId?: number } | { reason: UnverifiedReason };

/**
 * Who a mail binds to, and what it answers. Through a signed address: the delivery it names
 * must exist and have gone to that person, and the From must be that person's address (a reply
 * from someone else to a forwarded mail's address is a replay, not their answer). Without one,
 * only a calendar's REPLY: its ATTENDEE is the From, the From passed DMARC, and that person was
 * invited to the activity its UID names.
 */
export async function bind(trx: Kysely<Database>, mail: ParsedMail, signed: Signed, itip: Itip | undefined, dmarcOk: boolean): Promise<Bound> {
  const from = mail.from ? bareAddress(mail.from).toLowerCase() : undefined;
  if (signed.ref) {
    const { deliveryId, personId } = signed.ref;
    const delivery = await trx.selectFrom('deliveries').select(['person_id', 'payload', 'kind', 'dedupe_key']).where('id', '=', deliveryId).executeTakeFirst();
    if (!delivery || delivery.person_id !== personId) return { reason: 'unknown_address' };
    const person = await trx.selectFrom('people').selectAll().where('id', '=', personId).where('removed_at', 'is', null).executeTakeFirst();
    if (!person) return { reason: 'unknown_address' };
    if (from !== person.email.toLowerCase()) return { reason: 'other_person' };
    return { person, topic: await topicOf(trx, delivery), deliveryId };
  }
  const activityId = itip?.method === 'REPLY' ? activityOfUid(itip.uid) : undefined;
  if (!activityId || !from) return { reason: signed.reason };
  if (!itip!.attendees.some((a) => a.email === from)) return { reason: 'other_person' };
  if (!dmarcOk) return { reason: 'dmarc_failed' };
  const person = await trx.selectFrom('people').selectAll().where(sql`lower(email)`, '=', from).where('removed_at', 'is', null).executeTakeFirst();
  if (!person) return { reason: 'not_invited' };
  const invited = await trx.selectFrom('invitations').select('person_id').where('activity_id', '=', activityId).where('person_id', '=', person.id).executeTakeFirst();
  if (!invited) return { reason: 'not_invited' };
  return { person, topic: { kind: 'activity', activityId } };
}
