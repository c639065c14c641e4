import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/tables.js';
import { replanCheckins } from '../reports/checkins.js';
import { replanTeam } from './plan-reminders.js';
import { applyAbsences } from '../participation/absences.js';
import { replanSummaries } from '../participation/summary-plans.js';

/**
 * Re-plans the reminders of every team whose schedule changed. The notices of moved and
 * cancelled meetings are no longer queued here: they are written in the same transaction as
 * the change (src/schedule/meeting-notices.ts), so `notices` is always 0 (kept for callers).
 * Each change is handled once (notified_at), whichever replica or command recorded it.
 */
export async function processScheduleChanges(db: Kysely<Database>, clock: Clock): Promise<{ notices: number; teams: number }> {
  return db.transaction().execute(async (trx) => {
    const changes = await trx
      .selectFrom('schedule_changes')
      .selectAll()
      .where('notified_at', 'is', null)
      .orderBy('id')
      .forUpdate()
      .skipLocked()
      .execute();
    if (changes.length === 0) return { notices: 0, teams: 0 };
    // member_removed counts too: re-planning drops the pending reminders and check-ins of a
    // person who left this team but is still a user through another one; member_role_changed
    // plans the check-ins of a new coordinator at once.
    const teams = new Set(changes.filter((c) => c.team_id).map((c) => c.team_id!));
    for (const teamId of teams) {
      await replanTeam(trx, teamId, clock);
      await replanCheckins(trx, teamId, clock);
      // A meeting moved into (or added within) someone's absence is answered for them; summaries follow moves.
      await applyAbsences(trx, clock, { teamIds: [teamId] });
      await replanSummaries(trx, teamId, clock);
    }
    await trx.updateTable('schedule_changes').set({ notified_at: clock.now() }).where('id', 'in', changes.map((c) => c.id)).execute();
    return { notices: 0, teams: teams.size };
  });
}
