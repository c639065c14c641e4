import { sql, type Kysely } from 'kysely';
import type { Database, DeliveryRow } from '../db/tables.js';

/** What sending changed in a claimed row. */
export type Changes = Partial<Pick<DeliveryRow, 'state' | 'attempts' | 'channel_index' | 'next_attempt_at' | 'last_error' | 'sent_channel' | 'provider_id' | 'sent_at'>>;

/**
 * Claims up to `batchSize` due rows for `workerId` with FOR UPDATE SKIP LOCKED, so replicas
 * never take the same row; a row claimed longer than `leaseMs` ago (its worker died) is due again.
 */
export async function claimDue(db: Kysely<Database>, claim: { workerId: string; now: Date; leaseMs: number; batchSize: number }): Promise<DeliveryRow[]> {
  const { workerId, now } = claim;
  const lease = new Date(now.getTime() - claim.leaseMs);
  const result = await sql<DeliveryRow>`
    update deliveries set state = 'sending', claimed_by = ${workerId}, claimed_at = ${now}, updated_at = ${now}
    where id in (
      select id from deliveries
      where (state = 'pending' and next_attempt_at <= ${now}) or (state = 'sending' and claimed_at < ${lease})
      order by next_attempt_at
      limit ${claim.batchSize}
      for update skip locked
    )
    returning *`.execute(db);
  return result.rows.map((r) => ({ ...r, id: Number(r.id) }));
}

/**
 * Records a whole batch in one UPDATE (unnest of arrays) instead of one per row: the
 * outbox's own cost per message. Only rows this worker still holds are touched.
 */
export async function recordOutcomes(db: Kysely<Database>, workerId: string, now: Date, finished: [DeliveryRow, Changes][]): Promise<void> {
  if (finished.length === 0) return;
  const rows = finished.map(([row, changes]) => ({ ...row, ...changes }));
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  await sql`
    update deliveries d set
      state = u.state, attempts = u.attempts, channel_index = u.channel_index, next_attempt_at = u.next_attempt_at,
      last_error = u.last_error, sent_channel = u.sent_channel, provider_id = u.provider_id, sent_at = u.sent_at,
      claimed_by = null, claimed_at = null, updated_at = ${now}
    from unnest(
      ${rows.map((r) => r.id)}::bigint[], ${rows.map((r) => r.state)}::text[], ${rows.map((r) => r.attempts)}::int[],
      ${rows.map((r) => r.channel_index)}::int[], ${rows.map((r) => iso(r.next_attempt_at))}::timestamptz[], ${rows.map((r) => r.last_error)}::text[],
      ${rows.map((r) => r.sent_channel)}::text[], ${rows.map((r) => r.provider_id)}::text[], ${rows.map((r) => iso(r.sent_at))}::timestamptz[]
    ) as u(id, state, attempts, channel_index, next_attempt_at, last_error, sent_channel, provider_id, sent_at)
    where d.id = u.id and d.claimed_by = ${workerId}`.execute(db);
}
