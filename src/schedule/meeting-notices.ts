import type { Insertable, Kysely } from 'kysely';
import type { Database, ScheduleChangeTable } from '../db/tables.js';
import { enqueue, type PlannedDelivery } from '../delivery/outbox.js';
import type { ChannelKind } from '../ports/channel.port.js';

/** Changes whose members are told: the meeting is cancelled, moved, or takes place after all. */
export const NOTICE_KINDS: ReadonlySet<string> = new Set(['meeting_cancelled', 'meeting_moved', 'meeting_restored']);

/**
 * Records schedule changes and queues, in the same transaction (`db` is the caller's), one
 * notice per member of the team for each change of a meeting's time: the change and its
 * notices are written together or not at all. Reminders are re-planned later from the record
 * (processScheduleChanges).
 */
export async function recordScheduleChanges(db: Kysely<Database>, changes: Insertable<ScheduleChangeTable>[], now: Date): Promise<number> {
  if (changes.length === 0) return 0;
  const rows = await db
    .insertInto('schedule_changes')
    .values(changes.map((c) => ({ ...c, created_at: now })))
    .returning(['id', 'kind', 'team_id', 'occurrence_date'])
    .execute();
  const told = rows.filter((r) => NOTICE_KINDS.has(r.kind) && r.team_id);
  if (told.length === 0) return 0;
  const members = await db
    .selectFrom('memberships')
    .innerJoin('people', 'people.id', 'memberships.person_id')
    .select(['memberships.team_id', 'people.id', 'people.channels'])
    .where('memberships.team_id', 'in', [...new Set(told.map((r) => r.team_id!))])
    .where('memberships.removed_at', 'is', null)
    .where('people.removed_at', 'is', null)
    .execute();
  // Substitutes named for a changed occurrence are told too: they were asked to come to it.
  const dates = [...new Set(told.map((r) => r.occurrence_date).filter((d): d is string => !!d))];
  const substitutes = dates.length
    ? await db
        .selectFrom('meeting_answers')
        .innerJoin('people', 'people.id', 'meeting_answers.substitute_person_id')
        .select(['meeting_answers.team_id', 'meeting_answers.occurrence_date', 'people.id', 'people.channels'])
        .where('meeting_answers.team_id', 'in', [...new Set(told.map((r) => r.team_id!))])
        .where('meeting_answers.occurrence_date', 'in', dates)
        .where('meeting_answers.answer', '=', 'not_attending')
        .where('people.removed_at', 'is', null)
        .execute()
    : [];
  const notices: PlannedDelivery[] = told.flatMap((change) =>
    [
      ...members.filter((m) => m.team_id === change.team_id),
      ...substitutes.filter((s) => s.team_id === change.team_id && s.occurrence_date === change.occurrence_date && !members.some((m) => m.team_id === s.team_id && m.id === s.id)),
    ]
      .filter((p, i, all) => all.findIndex((q) => q.id === p.id) === i)
      .map((member) => ({
        key: `notice:${change.id}:${member.id}`,
        kind: 'meeting_change',
        personId: member.id,
        teamId: change.team_id!,
        channels: member.channels as ChannelKind[],
        payload: { type: 'meeting_change', changeId: String(change.id) },
        dueAt: now,
      })),
  );
  return enqueue(db, notices);
}
