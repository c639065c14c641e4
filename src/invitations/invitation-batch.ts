import { sql, type Kysely } from 'kysely';
import type { ActivityRow, Database, DeliveryRow, PersonRow } from '../db/tables.js';
import type { RenderBatch } from '../delivery/batch-context.js';
import type { ChannelKind } from '../ports/channel.port.js';

/** Every reference type invitation-message.ts renders. */
export const INVITATION_TYPES: ReadonlySet<string> = new Set(['invitation', 'rsvp_offer', 'rsvp_deadline', 'activity_reminder']);

/** What rendering a batch's invitations needs, loaded in at most six queries whatever the batch's size. */
export interface InvitationBatch {
  activities: Map<string, ActivityRow>;
  people: Map<number, PersonRow>;
  /** Answer by `${activityId}:${personId}`. */
  answers: Map<string, string>;
  /** The standing seat offer's deadline by `${activityId}:${personId}` (loaded only when the batch holds offers). */
  offers: Map<string, Date>;
  /** The last invitation, update or seat offer message sent in a chat, by `${activityId}:${personId}:${channel}` (provider id). */
  previous: Map<string, string>;
  /**
   * The person's first invitation delivery to the activity, by `${activityId}:${personId}`
   * (loaded only when the batch holds e-mail invitations): its signed reply address is the
   * ORGANIZER of every copy and update, so a calendar sees one organiser throughout.
   */
  firstInvitation: Map<string, number>;
}

interface Ref {
  type: string;
  activityId: string;
  personId: string;
  update?: string;
}

/** The batch's invitation data, loaded once for all its rows (src/delivery/batch-context.ts). */
export const invitationBatchOf = (db: Kysely<Database>, batch: RenderBatch): Promise<InvitationBatch> =>
  batch.once('invitations', (rows) => loadInvitationBatch(db, rows));

async function loadInvitationBatch(db: Kysely<Database>, rows: readonly DeliveryRow[]): Promise<InvitationBatch> {
  const mine = rows.filter((r) => INVITATION_TYPES.has((r.payload as { type?: string }).type ?? ''));
  const refs = mine.map((r) => r.payload as Ref);
  const activityIds = [...new Set(refs.map((r) => r.activityId))];
  const personIds = [...new Set(refs.map((r) => Number(r.personId)))];
  const out: InvitationBatch = { activities: new Map(), people: new Map(), answers: new Map(), offers: new Map(), previous: new Map(), firstInvitation: new Map() };
  if (activityIds.length === 0 || personIds.length === 0) return out;
  for (const a of await db.selectFrom('activities').selectAll().where('id', 'in', activityIds).execute()) out.activities.set(a.id, a);
  for (const p of await db.selectFrom('people').selectAll().where('id', 'in', personIds).execute()) out.people.set(p.id, p);
  const answers = await db
    .selectFrom('rsvps')
    .select(['activity_id', 'person_id', 'answer'])
    .where('activity_id', 'in', activityIds)
    .where('person_id', 'in', personIds)
    .execute();
  for (const a of answers) out.answers.set(`${a.activity_id}:${a.person_id}`, a.answer);
  if (refs.some((r) => r.type === 'rsvp_offer')) {
    const offers = await db
      .selectFrom('invitations')
      .select(['activity_id', 'person_id', 'offer_expires_at'])
      .where('activity_id', 'in', activityIds)
      .where('person_id', 'in', personIds)
      .where('offer_expires_at', 'is not', null)
      .execute();
    for (const o of offers) out.offers.set(`${o.activity_id}:${o.person_id}`, o.offer_expires_at!);
  }

  if (mine.some((r, i) => refs[i]!.type === 'invitation' && (r.channels as ChannelKind[])[r.channel_index] === 'email')) {
    const all = await db
      .selectFrom('deliveries')
      .select(['id', 'person_id', sql<string>`payload->>'activityId'`.as('activity_id')])
      .where('kind', '=', 'invitation')
      .where('person_id', 'in', personIds)
      .where('dedupe_key', 'like', 'invite:%')
      .orderBy('id', 'desc')
      .execute();
    // Ordered newest first: the oldest one written wins.
    for (const d of all) out.firstInvitation.set(`${d.activity_id}:${d.person_id}`, d.id);
  }

  // Only updates and seat offers in chat replace an earlier message in place.
  const replacing = mine.filter((r, i) => (refs[i]!.update === '1' || refs[i]!.type === 'rsvp_offer') && chatChannel(r));
  if (replacing.length === 0) return out;
  const sent = await db
    .selectFrom('deliveries')
    .select(['id', 'person_id', 'sent_channel', 'provider_id', sql<string>`payload->>'activityId'`.as('activity_id')])
    .where('kind', '=', 'invitation')
    .where(sql<boolean>`payload->>'type' in ('invitation', 'rsvp_offer')`)
    .where('state', '=', 'sent')
    .where('person_id', 'in', [...new Set(replacing.map((r) => r.person_id!))])
    .where('sent_channel', 'in', [...new Set(replacing.map((r) => chatChannel(r)!))])
    .where('provider_id', 'is not', null)
    .orderBy('id')
    .execute();
  // The invitation, its updates and seat offers: not the reminder before the RSVP deadline (kind
  // 'invitation' too; those before the activity are kind 'reminder'), a message of its own. The
  // activity from the payload, not the key: an offer's (rsvp-offer:{activityId}:{personId}:{ISO
  // instant}) has colons after the person. Ordered by id, the last one written wins.
  for (const s of sent) out.previous.set(`${s.activity_id}:${s.person_id}:${s.sent_channel}`, s.provider_id!);
  return out;
}

function chatChannel(row: DeliveryRow): ChannelKind | undefined {
  const channel = (row.channels as ChannelKind[])[row.channel_index];
  return channel && channel !== 'email' ? channel : undefined;
}
