import { sql, type Kysely } from 'kysely';
import type { DedicatedSession } from '../db/db.port.js';
import type { Database, DeliveryRow } from '../db/tables.js';
import { bulkRow, laneCondition, type Lane } from './lanes.js';

/** What sending changed in a claimed row. */
export type Changes = Partial<Pick<DeliveryRow, 'state' | 'attempts' | 'channel_index' | 'next_attempt_at' | 'last_error' | 'sent_channel' | 'provider_id' | 'sent_at'>> & {
  /**
   * Only ever moved later (an early row put back by pacing: not claimed early again before its
   * turn, dispatcher.ts `pacedSend`); left out, the row keeps its own (recordOutcomes writes
   * nothing over it, so no writer's value is undone).
   */
  earliest_at?: Date;
};

/**
 * The session a claim's advisory locks are held on, and their lock class: the `deliveries`
 * table's own oid (as int4), so the locks are those of this table and no other (a test schema's
 * table has another oid, another code's advisory locks another class). The second key is the
 * row's id, folded into int4 (ids from 2^31 share a key with one 2^31 lower: at worst one waits
 * for the other, never both sent).
 */
export interface LockHolder {
  readonly session: DedicatedSession;
  readonly lockClass: number;
}

const rowKey = (column: string) => sql`(${sql.ref(column)} % 2147483648)::int`;

/** One claim of a lane: up to `batchSize` rows due at `now`, or within `leadMs` after it for rows that may go early. */
export interface Claim {
  now: Date;
  batchSize: number;
  lane: Lane;
  /**
   * How far ahead of its due time a row may be claimed (ms; 0 or absent: none). Only a row whose
   * `earliest_at` has passed and that was never tried (no attempt, still at its due time) goes
   * early: a row with no `earliest_at` (every kind but reminders) or waiting out a backoff or a
   * Retry-After waits for its `next_attempt_at`
   * (docs/delivery-engine.md, "Sending ahead of a lump of reminders").
   */
  leadMs?: number;
}

/**
 * The due condition of a claim and of its second read: `next_attempt_at <= now`, widened by the
 * lead to `next_attempt_at <= now + L and (next_attempt_at <= now or (earliest_at <= now and
 * attempts = 0 and next_attempt_at = due_at))`. For the time-bound rows the range stays one range
 * of `deliveries_lane_order` (rows in it that may not go early are skipped); bulk rows never go
 * early and are read only up to `now` (`candidates`). `attempts = 0` alone does not say "never tried": a
 * refusal that names its wait (429/503 with Retry-After) uses no attempt and moves only
 * `next_attempt_at`; such a row waits for it (it left ahead once already).
 */
function dueCondition(claim: Pick<Claim, 'now' | 'leadMs'>) {
  const lead = Math.max(0, Math.ceil(claim.leadMs ?? 0));
  if (lead === 0) return sql<boolean>`next_attempt_at <= ${claim.now}`;
  const until = new Date(claim.now.getTime() + lead);
  return sql<boolean>`next_attempt_at <= ${until} and (next_attempt_at <= ${claim.now} or (earliest_at <= ${claim.now} and attempts = 0 and next_attempt_at = due_at))`;
}

/**
 * "Not claimed now", for any statement on `deliveries` (both databases: PGlite claims take the
 * same locks): the row's lock key is not among the advisory locks of `deliveries`' class in
 * pg_locks. The keys are read once per statement (an uncorrelated array subquery, an initplan),
 * not once per row. A row whose key it shares with a claimed one (ids 2^31 apart) counts as
 * claimed too: at worst it waits, never is it touched mid-send. Every writer that moves, rewrites
 * or deletes `pending` rows adds it, so a row being sent is left alone as a `sending` one was.
 */
export const notClaimedNow = (idColumn = 'id') => sql<boolean>`${rowKey(idColumn)}::bigint <> all(array(
  select l.objid::bigint from pg_locks l where l.locktype = 'advisory' and l.objsubid = 2 and l.classid = 'deliveries'::regclass::oid))`;

/**
 * Sets a session up for claims and answers the lock class of `deliveries` as seen from it (its
 * search_path), in one statement. Parallel plans are turned off for the session: a claim takes
 * a lane's time-bound rows before its bulk ones only because a UNION ALL reads its branches one
 * after the other, and a Parallel Append (which PostgreSQL chooses when parallel setup looks
 * cheap, as a server tuned for reports may say) reads them side by side and would let bulk rows
 * be claimed first (`candidates`). PGlite has no parallel workers: the setting changes nothing.
 */
export async function prepareClaimSession(session: DedicatedSession): Promise<number> {
  const { rows } = await sql<{ k: number }>`
    select 'deliveries'::regclass::oid::int as k, set_config('max_parallel_workers_per_gather', '0', false) as serial`.execute(session.db);
  return Number(rows[0]!.k);
}

/**
 * A claim's candidates in the order it takes them (docs/delivery-engine.md, "Order within a
 * lane"): the lane's time-bound rows due now, then those that may go early within the lead (one
 * range: they are due later), then its bulk rows (`bulkRow`) due now, never early. Two ranges of
 * `deliveries_lane_order`, each walked in due order (id breaks ties: rows due at the same instant
 * go in the order they were queued). UNION ALL reads its branches one after the other and lazily,
 * so the bulk range is read only once the time-bound one is used up, and the caller's LIMIT stops
 * the walk at the batch. `limit` bounds each range where nothing above skips rows (pickDue).
 */
function candidates(claim: Claim & { exclude: number[] }, limit?: number) {
  const lane = sql`state = 'pending' and ${laneCondition(claim.lane)} and id <> all(${claim.exclude}::bigint[])`;
  const bounded = limit === undefined ? sql`` : sql`limit ${limit}`;
  return sql`
    (select id from deliveries where ${lane} and ${bulkRow} is false and ${dueCondition(claim)} order by next_attempt_at, id ${bounded})
    union all
    (select id from deliveries where ${lane} and ${bulkRow} is true and next_attempt_at <= ${claim.now} order by next_attempt_at, id ${bounded})`;
}

/** pickDue's statement (exported for the plan's test). */
export function pickDueStatement(claim: Claim & { exclude: number[] }) {
  return sql<{ id: number }>`select id from (${candidates(claim, claim.batchSize)}) c limit ${claim.batchSize}`;
}

/**
 * The due ids a lone dispatcher on PostgreSQL without a session of its own (a tool or a test, never
 * the service: main.ts always gives one) takes: no lock, so nothing to leave behind on a pooled
 * connection; the in-process set is its claim, as on PGlite.
 */
export async function pickDue(db: Kysely<Database>, claim: Claim & { exclude: number[] }): Promise<number[]> {
  const { rows } = await pickDueStatement(claim).execute(db);
  return rows.map((r) => Number(r.id));
}

/** lockDue's statement (exported for the plan's test). */
export function lockDueStatement(lockClass: number, claim: Claim & { exclude: number[] }) {
  return sql<{ id: number }>`
    select c.id from (
      ${candidates(claim)}
      -- A fence: no condition of the outer query is pushed into the branches (PostgreSQL pushed the
      -- lock into the index scan's filter without it, where it could run before the exclusion).
      -- The branches have no limit of their own: a row another replica holds is skipped and the
      -- walk goes on.
      offset 0
    ) c
    where pg_try_advisory_lock(${lockClass}::int, ${rowKey('c.id')})
    limit ${claim.batchSize}`;
}

/**
 * Claims, in one statement that writes nothing: walks the lane's partial index
 * (`deliveries_lane_order`) in claim order (`candidates`) and takes a session advisory lock on
 * each candidate until `batchSize` are locked; a row another replica holds is skipped
 * (pg_try_advisory_lock fails). `exclude` are the rows this process holds already: a session's
 * advisory locks are re-entrant, so locking one again would succeed and count twice. The lock is
 * taken in the outer query only, over a subquery fenced with OFFSET 0 (no condition is pushed into
 * a subquery with an offset), so a lock is taken only on a row that passed every other condition;
 * the LIMIT stops the scan at the batch (the scans are lazy: rows past it are never read, never
 * locked). Returns the locked ids, not the rows (see fetchClaimed).
 */
export async function lockDue(holder: LockHolder, claim: Claim & { exclude: number[] }): Promise<number[]> {
  const { rows } = await lockDueStatement(holder.lockClass, claim).execute(holder.session.db);
  return rows.map((r) => Number(r.id));
}

/**
 * The locked rows' content, read in a statement of its own and checked again: still pending, due
 * (by the claim's own `now` and lead: a row claimed early stays claimed, one re-timed meanwhile
 * out of the window or past its `earliest_at` does not) and in the lane. The claim's snapshot was taken when it began: another replica may have
 * recorded a row (sent) and unlocked it after that instant and before the lock was taken here;
 * the claim then saw it pending (que's documented race). This statement starts after the lock
 * was granted, so it sees every outcome committed before that unlock. Rows that fail the check
 * are left out (the caller unlocks them).
 */
export async function fetchClaimed(db: Kysely<Database>, ids: number[], claim: Pick<Claim, 'now' | 'lane' | 'leadMs'>): Promise<DeliveryRow[]> {
  if (ids.length === 0) return [];
  const { rows } = await sql<DeliveryRow>`
    select * from deliveries
    where id = any(${ids}::bigint[]) and state = 'pending' and ${laneCondition(claim.lane)} and ${dueCondition(claim)}
    -- The claim's order, in which the batch is sent: time-bound rows (due now, then early), then bulk.
    order by ${bulkRow}, next_attempt_at, id`.execute(db);
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

/** Unlocks rows this session holds. Returns those it did not hold (none, unless the session changed). */
export async function unlock(holder: LockHolder, ids: number[]): Promise<number> {
  if (ids.length === 0) return 0;
  const { rows } = await sql<{ held: boolean }>`
    select pg_advisory_unlock(${holder.lockClass}::int, ${rowKey('u.id')}) as held from unnest(${ids}::bigint[]) as u(id)`.execute(holder.session.db);
  return rows.filter((r) => !r.held).length;
}

/**
 * Records outcomes in one UPDATE (unnest of arrays) instead of one per row: the outbox's own
 * cost per message. Only a row still as it was claimed is touched: still `pending` (a row
 * cancelled meanwhile, by erasure or a change, stays cancelled; one a bounce failed stays
 * failed) and at the channel it was claimed at (a bounce, src/inbound/bounces.ts, may move a row
 * to its next channel mid-send: this lane's late outcome then changes nothing). With a `holder`
 * (PostgreSQL), only while that session still holds the row's lock: a session that broke has
 * lost its claims, another replica may hold the row now, and the outcome is not written (the
 * row goes out again: what a crash costs). Runs on the pool, so groups are written side by side.
 */
export async function recordOutcomes(db: Kysely<Database>, now: Date, finished: [DeliveryRow, Changes][], holder?: LockHolder): Promise<void> {
  if (finished.length === 0) return;
  const rows = finished.map(([row, changes]) => ({ ...row, ...changes, claimedIndex: row.channel_index, movedEarliest: changes.earliest_at ?? null }));
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  const held = holder
    ? sql`and exists (
        select 1 from pg_locks l
        where l.locktype = 'advisory' and l.pid = ${holder.session.pid}::int and l.granted and l.objsubid = 2
          and l.classid = ${holder.lockClass}::int::oid and l.objid = ${rowKey('d.id')}::oid)`
    : sql``;
  await sql`
    update deliveries d set
      state = u.state, attempts = u.attempts, channel_index = u.channel_index, next_attempt_at = u.next_attempt_at,
      last_error = u.last_error, sent_channel = u.sent_channel, provider_id = u.provider_id, sent_at = u.sent_at,
      earliest_at = coalesce(u.moved_earliest, d.earliest_at), updated_at = ${now}
    from unnest(
      ${rows.map((r) => r.id)}::bigint[], ${rows.map((r) => r.state)}::text[], ${rows.map((r) => r.attempts)}::int[],
      ${rows.map((r) => r.channel_index)}::int[], ${rows.map((r) => iso(r.next_attempt_at))}::timestamptz[], ${rows.map((r) => r.last_error)}::text[],
      ${rows.map((r) => r.sent_channel)}::text[], ${rows.map((r) => r.provider_id)}::text[], ${rows.map((r) => iso(r.sent_at))}::timestamptz[],
      ${rows.map((r) => r.claimedIndex)}::int[], ${rows.map((r) => iso(r.movedEarliest))}::timestamptz[]
    ) as u(id, state, attempts, channel_index, next_attempt_at, last_error, sent_channel, provider_id, sent_at, claimed_index, moved_earliest)
    where d.id = u.id and d.state = 'pending' and d.channel_index = u.claimed_index ${held}`.execute(db);
}

/**
 * Claim locks held now by sessions other than `exceptPid` (PostgreSQL): the advisory locks of
 * `deliveries`' class, from pg_locks. One lock per key: two rows of one replica whose ids share
 * a key (2^31 apart, both in flight at once) count once here; the caller counts its own rows
 * exactly from its in-flight set.
 */
export async function countLocked(db: Kysely<Database>, exceptPid: number): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from pg_locks
    where locktype = 'advisory' and objsubid = 2 and classid = 'deliveries'::regclass::oid and pid <> ${exceptPid}::int`.execute(db);
  return Number(rows[0]?.n ?? 0);
}
