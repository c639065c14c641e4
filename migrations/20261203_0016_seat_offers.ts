import { sql, type Kysely } from 'kysely';

/**
 * Seat offers and the waiting list (docs/invitations.md).
 * - `invitations.offer_lapsed_at`: when a seat offered from the waiting list lapsed unanswered
 *   (its deadline). The person's answer stays what they said; this marks that they left the list
 *   because the offer lapsed, so nothing has to invent a decline for them.
 * - `rsvps.list_order`: the place in the order of joining the waiting list, drawn from a sequence
 *   under the activity's row lock. Two people answering in the same millisecond, or on replicas
 *   whose clocks differ a little, are then still in the order their answers were recorded.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('invitations').addColumn('offer_lapsed_at', 'timestamptz').execute();
  await db.schema.alterTable('rsvps').addColumn('list_order', 'bigint').execute();
  await sql`create sequence waiting_list_order`.execute(db);
  await sql`
    with ordered as (select activity_id, person_id, row_number() over (order by answered_at, person_id) as n from rsvps where answer = 'waiting')
    update rsvps r set list_order = ordered.n from ordered where r.activity_id = ordered.activity_id and r.person_id = ordered.person_id`.execute(db);
  await sql`select setval('waiting_list_order', coalesce((select max(list_order) from rsvps), 0) + 1, false)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('rsvps').dropColumn('list_order').execute();
  await sql`drop sequence waiting_list_order`.execute(db);
  await db.schema.alterTable('invitations').dropColumn('offer_lapsed_at').execute();
}
