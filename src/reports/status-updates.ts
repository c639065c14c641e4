import type { Kysely } from 'kysely';
import type { Database, PersonRow } from '../db/tables.js';
import { contentKey, DUPLICATE_WINDOW_MS } from './problem-reports.js';

export interface NewStatus {
  teamId: string;
  done: string;
  nextSteps: string | null;
  peopleCount: number | null;
  blockers: string | null;
  submissionKey?: string;
}

/** Stores a status update once: a nonce, or the same person and content within ten minutes, is one update. */
export async function saveStatus(db: Kysely<Database>, person: PersonRow, input: NewStatus, now: Date): Promise<{ duplicate: boolean }> {
  return db.transaction().execute(async (trx) => {
    const key = input.submissionKey ?? contentKey('status', person.id, [input.teamId, input.done, input.nextSteps, input.peopleCount, input.blockers]);
    const earlier = await trx
      .selectFrom('status_updates')
      .select('id')
      .where((eb) =>
        eb.or([eb('submission_key', '=', key), eb.and([eb('submission_key', 'like', `${key}@%`), eb('created_at', '>', new Date(now.getTime() - DUPLICATE_WINDOW_MS))])]),
      )
      .executeTakeFirst();
    if (earlier) return { duplicate: true };
    const inserted = await trx
      .insertInto('status_updates')
      .values({
        person_id: person.id,
        team_id: input.teamId,
        done: input.done,
        next_steps: input.nextSteps,
        people_count: input.peopleCount,
        blockers: input.blockers,
        submission_key: input.submissionKey ?? `${key}@${now.getTime()}`,
        created_at: now,
      })
      .onConflict((oc) => oc.column('submission_key').doNothing())
      .executeTakeFirst();
    return { duplicate: Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0 };
  });
}
