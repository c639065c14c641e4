import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/tables.js';
import type { ChannelKind, Message } from '../ports/channel.port.js';
import type { Language } from '../i18n/messages.js';
import { notClaimedNow } from './claims.js';
import { laneCondition, LANES, type Lane } from './lanes.js';
import { performance } from 'node:perf_hooks';
import { BatchSizer } from '../time-slices.js';

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
  /**
   * The earliest it may leave ahead of `dueAt` when a lump of reminders is sent early
   * (`earliestSend`, quiet-hours.ts); meeting and activity reminders only. Left out: never
   * before `dueAt`.
   */
  earliestAt?: Date;
}

/**
 * Puts deliveries in the outbox; keys already there are left alone. Returns how many are new.
 * Each chunk is one INSERT … SELECT FROM unnest(arrays): eleven parameters whatever the chunk's
 * size, where a multi-row VALUES would need eleven per row (and PostgreSQL allows 65,535). A
 * chunk of more than SMALL_CHUNK rows first looks up which keys are missing (one statement
 * more); a small one is the INSERT alone.
 */
export async function enqueue(db: Kysely<Database>, planned: PlannedDelivery[]): Promise<number> {
  let added = 0;
  // Chunks sized by time (time-slices.ts): on PGlite a 5,000-row insert held the event loop for seconds.
  const sizer = new BatchSizer(ENQUEUE_FIRST_CHUNK, ENQUEUE_MIN_CHUNK, ENQUEUE_CHUNK);
  for (let i = 0; i < planned.length; ) {
    const offered = planned.slice(i, i + sizer.next);
    i += offered.length;
    const started = performance.now();
    // Only keys not in the outbox yet go to the INSERT: a daily re-plan offers the whole horizon
    // again and nearly all of it is there. Sending those rows to ON CONFLICT cast every payload
    // to jsonb and tried every insert (16.8 s of check-ins at national size on PGlite's one
    // thread); looking up the keys alone is an index probe each. ON CONFLICT stays for a row
    // another process adds between the two statements, so the result is the same either way.
    // A small chunk skips the lookup (see SMALL_CHUNK) and goes to ON CONFLICT as it is.
    const missing = offered.length <= SMALL_CHUNK ? undefined : await missingKeys(db, offered);
    const chunk = !missing || missing.size === offered.length ? offered : offered.filter((p) => missing.has(p.key));
    if (chunk.length === 0) {
      sizer.took(performance.now() - started, offered.length);
      continue;
    }
    // Many rows share a payload or a channel list (one meeting, many members): stringify each once.
    const json = new Map<unknown, string>();
    const text = (value: unknown) => {
      let out = json.get(value);
      if (out === undefined) json.set(value, (out = JSON.stringify(value)));
      return out;
    };
    const result = await sql`
      insert into deliveries (dedupe_key, kind, person_id, place_address, place_language, team_id, channels, payload, due_at, next_attempt_at, expires_at, earliest_at)
      select key, kind, person_id, place_address, place_language, team_id, channels::jsonb, payload::jsonb, due_at, due_at, expires_at, earliest_at
      from unnest(
        ${chunk.map((p) => p.key)}::text[], ${chunk.map((p) => p.kind)}::text[], ${chunk.map((p) => p.personId ?? null)}::int[],
        ${chunk.map((p) => p.place?.address ?? null)}::text[], ${chunk.map((p) => p.place?.language ?? null)}::text[],
        ${chunk.map((p) => p.teamId ?? null)}::text[], ${chunk.map((p) => text(p.channels))}::text[], ${chunk.map((p) => text(p.payload))}::text[],
        ${chunk.map((p) => p.dueAt.toISOString())}::timestamptz[], ${chunk.map((p) => p.expiresAt?.toISOString() ?? null)}::timestamptz[],
        ${chunk.map((p) => p.earliestAt?.toISOString() ?? null)}::timestamptz[]
      ) as u(key, kind, person_id, place_address, place_language, team_id, channels, payload, due_at, expires_at, earliest_at)
      on conflict (dedupe_key) do nothing`.execute(db);
    // Rows ON CONFLICT left out are not counted: only those actually added.
    added += Number(result.numAffectedRows ?? 0);
    sizer.took(performance.now() - started, offered.length);
  }
  return added;
}

/** The keys of `offered` that no delivery has yet (an anti-join on the unique dedupe_key index). */
async function missingKeys(db: Kysely<Database>, offered: PlannedDelivery[]): Promise<Set<string>> {
  const result = await sql<{ key: string }>`
    select u.key from unnest(${offered.map((p) => p.key)}::text[]) as u(key)
    where not exists (select 1 from deliveries d where d.dedupe_key = u.key)`.execute(db);
  return new Set(result.rows.map((r) => r.key));
}

/**
 * Up to this many rows, a chunk goes to the INSERT without the key lookup: ON CONFLICT's cost
 * for a key already there (a jsonb cast and an insert tried on the unique index) is a few rows'
 * worth of work in the database, while the lookup is a statement of its own: a round trip, and
 * on a busy machine a wait for a core behind PostgreSQL (~250 µs of `writev` per statement in the
 * national week's profile, where an idle machine spends ~45 µs). The small enqueues are the
 * common ones, an answer's two reminders, a seat offer, a confirmation (6,610 lookups in that
 * week); and they rarely offer a key already there. A
 * re-plan's thousands of rows, nearly all there already, keep the lookup.
 */
export const SMALL_CHUNK = 8;
const ENQUEUE_CHUNK = 5000;
const ENQUEUE_FIRST_CHUNK = 100;
const ENQUEUE_MIN_CHUNK = 50;

/** The statement of `nextDueAt`, which `nextDueByLane` asks of every lane at once. */
const nextDueStatement = (lane?: Lane) => sql<{ next_attempt_at: Date }>`
    select next_attempt_at from deliveries
    where state = 'pending' ${lane ? sql`and ${laneCondition(lane)}` : sql``} and ${notClaimedNow()}
    order by next_attempt_at limit 1`;

/**
 * When the next pending delivery (of one lane, when given) not being sent now is due, or
 * undefined when nothing waits. A row claimed (here or by another replica) is left out: it
 * stays `pending` while it is sent, and counting it as due now would keep the lane in its
 * "held elsewhere" back-off instead of waking at the next real due time.
 */
export async function nextDueAt(db: Kysely<Database>, lane?: Lane): Promise<Date | undefined> {
  const result = await nextDueStatement(lane).execute(db);
  return result.rows[0]?.next_attempt_at;
}

/**
 * `nextDueAt` of every lane in one statement (a probe of each lane's due index): what the loop
 * reads when rows were queued, to wake only the lanes they are due sooner in (DeliveryLoop.queued).
 */
export async function nextDueByLane(db: Kysely<Database>): Promise<Map<Lane, Date>> {
  const probes = LANES.map((lane) => sql`select ${lane}::text as lane, (${nextDueStatement(lane)}) as next_attempt_at`);
  const { rows } = await sql<{ lane: Lane; next_attempt_at: Date | null }>`${sql.join(probes, sql` union all `)}`.execute(db);
  return new Map(rows.filter((r) => r.next_attempt_at !== null).map((r) => [r.lane, new Date(r.next_attempt_at!)]));
}

/**
 * Moves rows still waiting (pending, never tried) to a new due time and early window
 * (`earliestAt`, left out: none), in one UPDATE; a row whose window alone changed (the person's
 * quiet hours) is written too. A row the dispatcher claimed or tried meanwhile is left as it is,
 * and so is one already due that stays due (it keeps its place in the queue). Returns how many
 * moved.
 */
export async function setDueTimes(db: Kysely<Database>, rows: { id: number; dueAt: Date; earliestAt?: Date }[], now: Date): Promise<number> {
  if (rows.length === 0) return 0;
  const result = await sql`
    update deliveries d set due_at = u.due_at, next_attempt_at = u.due_at, earliest_at = u.earliest_at, updated_at = ${now}
    from unnest(${rows.map((r) => r.id)}::bigint[], ${rows.map((r) => r.dueAt.toISOString())}::timestamptz[],
      ${rows.map((r) => r.earliestAt?.toISOString() ?? null)}::timestamptz[]) as u(id, due_at, earliest_at)
    where d.id = u.id and d.state = 'pending' and d.attempts = 0 and ${notClaimedNow('d.id')}
      and (d.next_attempt_at <> u.due_at or d.earliest_at is distinct from u.earliest_at)
      and (d.next_attempt_at > ${now} or u.due_at > ${now})`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
