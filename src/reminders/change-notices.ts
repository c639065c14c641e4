import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/tables.js';
import { enqueue, type PlannedDelivery } from '../delivery/outbox.js';
import type { ChannelKind } from '../ports/channel.port.js';
import { replanCheckins } from '../reports/checkins.js';
import { replanTeam } from './plan-reminders.js';

/**
 * Turns recorded schedule changes into what people must hear: one notice per member for each
 * moved or cancelled meeting, and reminders and check-ins that follow every team whose schedule changed.
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
    const teams = new Set(changes.filter((c) => c.team_id && c.kind !== 'member_removed').map((c) => c.team_id!));
    const notices: PlannedDelivery[] = [];
    for (const change of changes.filter((c) => c.kind === 'meeting_cancelled' || c.kind === 'meeting_moved')) {
      const members = await trx
        .selectFrom('memberships')
        .innerJoin('people', 'people.id', 'memberships.person_id')
        .select(['people.id', 'people.channels'])
        .where('memberships.team_id', '=', change.team_id!)
        .where('memberships.removed_at', 'is', null)
        .where('people.removed_at', 'is', null)
        .execute();
      for (const member of members) {
        notices.push({
          key: `notice:${change.id}:${member.id}`,
          kind: 'meeting_change',
          personId: member.id,
          teamId: change.team_id!,
          channels: member.channels as ChannelKind[],
          payload: { type: 'meeting_change', changeId: String(change.id) },
          dueAt: clock.now(),
        });
      }
    }
    const added = await enqueue(trx, notices);
    for (const teamId of teams) {
      await replanTeam(trx, teamId, clock);
      await replanCheckins(trx, teamId, clock);
    }
    await trx.updateTable('schedule_changes').set({ notified_at: clock.now() }).where('id', 'in', changes.map((c) => c.id)).execute();
    return { notices: added, teams: teams.size };
  });
}
