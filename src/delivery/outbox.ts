import type { Kysely } from 'kysely';
import type { Database } from '../db/tables.js';
import type { ChannelKind, Message } from '../ports/channel.port.js';
import type { Language } from '../i18n/messages.js';

/** A ready message, or a reference that a renderer turns into one when it is sent. */
export type DeliveryPayload = Message | { type: string; [key: string]: string };

export interface PlannedDelivery {
  /** What, whom, occurrence, offset: the same key twice is one delivery. */
  key: string;
  kind: string;
  /** Whom; or `place` instead, for a channel that is not a person (a team's Slack channel). */
  personId?: number;
  place?: { address: string; language: Language };
  teamId?: string;
  channels: ChannelKind[];
  payload: DeliveryPayload;
  dueAt: Date;
  /** After this instant the message is pointless (the meeting began): recorded as expired, never sent. */
  expiresAt?: Date;
}

/** Puts deliveries in the outbox; keys already there are left alone. Returns how many are new. */
export async function enqueue(db: Kysely<Database>, planned: PlannedDelivery[]): Promise<number> {
  let added = 0;
  for (let i = 0; i < planned.length; i += 1000) {
    const rows = planned.slice(i, i + 1000).map((p) => ({
      dedupe_key: p.key,
      kind: p.kind,
      person_id: p.personId ?? null,
      place_address: p.place?.address ?? null,
      place_language: p.place?.language ?? null,
      team_id: p.teamId ?? null,
      channels: JSON.stringify(p.channels),
      payload: JSON.stringify(p.payload),
      due_at: p.dueAt,
      next_attempt_at: p.dueAt,
      expires_at: p.expiresAt ?? null,
    }));
    const result = await db.insertInto('deliveries').values(rows).onConflict((oc) => oc.column('dedupe_key').doNothing()).executeTakeFirst();
    added += Number(result.numInsertedOrUpdatedRows ?? 0);
  }
  return added;
}

/** When the next pending delivery is due, or undefined when nothing waits. */
export async function nextDueAt(db: Kysely<Database>): Promise<Date | undefined> {
  const row = await db
    .selectFrom('deliveries')
    .select('next_attempt_at')
    .where('state', '=', 'pending')
    .orderBy('next_attempt_at')
    .limit(1)
    .executeTakeFirst();
  return row?.next_attempt_at;
}
