import { sql, type RawBuilder } from 'kysely';

/** REPLICA_TIMEOUT_SECONDS unless set: also what replicas older than migration 0021 used. Only counts replicas for pacing shares now (claims end with their session). */
export const DEFAULT_REPLICA_TIMEOUT_MS = 30_000;

/**
 * An SQL condition on a `dispatchers` row: its heartbeat is older than that replica's own
 * timeout (`timeout_ms`, which it writes with each beat). Every replica judges every other by
 * the other's setting, so replicas with different REPLICA_TIMEOUT_SECONDS (a rolling change)
 * agree on who is dead: one beating every 5 s is never counted dead by one that would wait 3 s.
 * A row without a timeout (code older than migration 0021) is judged by the old default, or by
 * `ownMs` when that is longer: no sooner than before.
 * Ages are on the database's clock.
 */
export function heartbeatStale(ownMs: number): RawBuilder<boolean> {
  const fallback = Math.round(Math.max(DEFAULT_REPLICA_TIMEOUT_MS, ownMs));
  return sql<boolean>`(dispatchers.seen_at < now() - coalesce(dispatchers.timeout_ms, ${fallback}::int) * interval '1 millisecond')`;
}
