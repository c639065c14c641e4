import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/tables.js';

/**
 * Where a complete invitation planning started (DeliveryService): the version of its inputs
 * (migration 0037: activities, audiences, teams, people, memberships, preferences, invitations
 * added or removed, answers removed) and the oldest transaction then still running, read in
 * one statement, so at one instant. A later sweep that reads the same version has nothing new
 * to invite, update or remind of a deadline, and needs to look only at answers written by
 * transactions from `xmin` on (planActivityReminders' `answeredSince`): every transaction
 * before it had ended, so what it wrote was seen by that planning, which began after.
 */
export interface PlanningMark {
  version: number;
  /** pg_snapshot_xmin as the 32-bit xid that rows' xmin is compared with (by age, so across wraparound). */
  xmin: string;
  /**
   * When the database server started (pg_postmaster_start_time): xids are not promised to grow
   * across a crash (those of transactions ended without a flushed WAL record are handed out
   * again), nor across a failover or a restore. A mark from another start says nothing of now.
   */
  started: string;
}

export async function readPlanningMark(db: Kysely<Database>): Promise<PlanningMark> {
  const { rows } = await sql<{ version: string; xmin: string; started: string }>`
    select version::text as version, (pg_snapshot_xmin(pg_current_snapshot())::text::numeric % 4294967296)::text as xmin,
      pg_postmaster_start_time()::text as started
    from invitation_inputs where id = 1`.execute(db);
  const row = rows[0]!;
  return { version: Number(row.version), xmin: row.xmin, started: row.started };
}
