import { sql, type Kysely } from 'kysely';
import type { Database, DeliveryRow } from '../db/tables.js';
import { laneCondition, type Lane } from './lanes.js';
import { heartbeatStale } from './replica-timeouts.js';

/** What sending changed in a claimed row. */
export type Changes = Partial<Pick<DeliveryRow, 'state' | 'attempts' | 'channel_index' | 'next_attempt_at' | 'last_error' | 'sent_channel' | 'provider_id' | 'sent_at'>>;

/** `ms` as an SQL interval, for comparisons on the database's clock. */
const millis = (ms: number) => sql`(${Math.round(ms)}::int * interval '1 millisecond')`;

/**
 * Claims up to `batchSize` due rows of one lane (the channel each row is at) for `workerId`
 * with FOR UPDATE SKIP LOCKED, so replicas never take the same row. Only pending rows are
 * claimed: the query walks the lane's partial index in due order and stops after the batch
 * (a dead worker's rows are first put back to pending by reclaimDead, never claimed from
 * `sending` here). Due times are the injected clock's (`now`); the claim time is the
 * database's own, since only the database's clock is the same for every replica.
 */
export async function claimDue(db: Kysely<Database>, claim: { workerId: string; now: Date; batchSize: number; lane: Lane; waitForDisk?: boolean }): Promise<DeliveryRow[]> {
  const { workerId, now } = claim;
  const result = await sql<DeliveryRow>`
    update deliveries set state = 'sending', claimed_by = ${workerId}, claimed_at = now(), updated_at = ${now}
    -- Unless told to wait, the claim's commit does not wait for the disk (an initplan sets it for
    -- this statement's own transaction): that wait was most of a claim's time (~4 ms of fsync
    -- here). If the database server itself crashes, a claim of its last moments may be
    -- forgotten; its rows are then pending again and go out once more, which is what a crash of
    -- the sender already costs (docs/delivery-engine.md). Outcomes are recorded with the wait.
    where (select set_config('synchronous_commit', ${claim.waitForDisk ? 'on' : 'off'}, true)) is not null and id in (
      select id from deliveries
      where state = 'pending' and ${laneCondition(claim.lane)} and next_attempt_at <= ${now}
      -- id breaks ties: rows due at the same instant go in the order they were queued, so rows a
      -- dead worker had claimed (the first of their instant) go out before the rest of it.
      order by next_attempt_at, id
      limit ${claim.batchSize}
      for update skip locked
    )
    returning *`.execute(db);
  // Renderers read claimed_at as the moment of sending ("za 2 godziny", a check-in never before
  // its meeting ended): that is the service's clock, the one due times are on. The stored column
  // stays the database's, for lease ages.
  return result.rows.map((r) => ({ ...r, id: Number(r.id), claimed_at: now }));
}

/**
 * Puts back to pending the rows of workers known dead: those whose heartbeat in `dispatchers`
 * is older than their own timeout (`staleMs`, ours, only for a row written without one: see
 * replica-timeouts.ts), and any claim not renewed for `leaseMs` (a worker without a
 * heartbeat, or one cut off from the database). Ages are on the database's clock. A row keeps
 * its due time, so it is due again at once, ahead of what fell due since. Returns how many.
 */
export async function reclaimDead(db: Kysely<Database>, limits: { leaseMs: number; staleMs: number }): Promise<number> {
  // SKIP LOCKED: a row locked now is being recorded or renewed by a live worker.
  const result = await sql`
    update deliveries set state = 'pending', claimed_by = null, claimed_at = null
    where id in (
      select id from deliveries
      where state = 'sending' and (
        claimed_at < now() - ${millis(limits.leaseMs)}
        or claimed_by in (select worker_id from dispatchers where ${heartbeatStale(limits.staleMs)})
      )
      for update skip locked
    )`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

/**
 * Puts back to pending every row claimed by another worker. Only for a process that is the
 * only dispatcher there can be (PGlite: one process per data folder), at its start: whatever
 * is `sending` then was claimed by a process that is gone.
 */
export async function reclaimAllButMine(db: Kysely<Database>, workerId: string): Promise<number> {
  const result = await sql`
    update deliveries set state = 'pending', claimed_by = null, claimed_at = null
    where state = 'sending' and claimed_by is distinct from ${workerId}`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

/**
 * Keeps this worker's claims alive while a slow batch is still being sent. Rows locked at that
 * moment are being recorded and need no renewal: skipping them means the renewal never waits
 * for, or deadlocks with, the UPDATE that records them (it did, under a 300 ms lease).
 */
export async function renewClaims(db: Kysely<Database>, workerId: string): Promise<void> {
  await sql`
    update deliveries set claimed_at = now()
    where id in (select id from deliveries where state = 'sending' and claimed_by = ${workerId} for update skip locked)`.execute(db);
}

/** Hands back to the outbox, untried and still due, rows this worker claimed (all, or those of `ids`). */
export async function releaseClaims(db: Kysely<Database>, workerId: string, ids?: number[]): Promise<number> {
  if (ids && ids.length === 0) return 0;
  const result = await sql`
    update deliveries set state = 'pending', claimed_by = null, claimed_at = null
    where state = 'sending' and claimed_by = ${workerId} ${ids ? sql`and id = any(${ids}::bigint[])` : sql``}`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

/**
 * Records outcomes in one UPDATE (unnest of arrays) instead of one per row: the outbox's own
 * cost per message. Only the claim each outcome came from is touched: the row must still be
 * `sending`, held by this worker, at the channel it was claimed at. claimed_by alone is the
 * worker, not the claim: a bounce (src/inbound/bounces.ts) may take a row over mid-send and move
 * it to the next channel, where this same worker's other lane claims it at once; the first
 * lane's late outcome then finds another channel_index and changes nothing. (claimed_at is no
 * token: renewClaims moves it while the claim lives.)
 */
export async function recordOutcomes(db: Kysely<Database>, workerId: string, now: Date, finished: [DeliveryRow, Changes][]): Promise<void> {
  if (finished.length === 0) return;
  const rows = finished.map(([row, changes]) => ({ ...row, ...changes, claimedIndex: row.channel_index }));
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  await sql`
    update deliveries d set
      state = u.state, attempts = u.attempts, channel_index = u.channel_index, next_attempt_at = u.next_attempt_at,
      last_error = u.last_error, sent_channel = u.sent_channel, provider_id = u.provider_id, sent_at = u.sent_at,
      claimed_by = null, claimed_at = null, updated_at = ${now}
    from unnest(
      ${rows.map((r) => r.id)}::bigint[], ${rows.map((r) => r.state)}::text[], ${rows.map((r) => r.attempts)}::int[],
      ${rows.map((r) => r.channel_index)}::int[], ${rows.map((r) => iso(r.next_attempt_at))}::timestamptz[], ${rows.map((r) => r.last_error)}::text[],
      ${rows.map((r) => r.sent_channel)}::text[], ${rows.map((r) => r.provider_id)}::text[], ${rows.map((r) => iso(r.sent_at))}::timestamptz[],
      ${rows.map((r) => r.claimedIndex)}::int[]
    ) as u(id, state, attempts, channel_index, next_attempt_at, last_error, sent_channel, provider_id, sent_at, claimed_index)
    where d.id = u.id and d.claimed_by = ${workerId} and d.state = 'sending' and d.channel_index = u.claimed_index`.execute(db);
}
