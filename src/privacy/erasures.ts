import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/tables.js';
import type { LoadedSchedule, ScheduleProblem } from '../schedule/load-schedule.js';
import type { ScheduleProblemTexts } from '../i18n/schedule-problem-messages.js';

/** The e-mail as the erasures table knows it: SHA-256 of the trimmed, lower-case address. */
export const emailHash = (email: string) => createHash('sha256').update(email.trim().toLowerCase()).digest('hex');

export async function recordErasure(trx: Kysely<Database>, email: string, personId: number, at: Date): Promise<void> {
  await trx
    .insertInto('erasures')
    .values({ email_hash: emailHash(email), person_id: personId, erased_at: at })
    .onConflict((oc) => oc.column('email_hash').doUpdateSet({ person_id: personId, erased_at: at }))
    .execute();
}

/** `kooperator forget-erasure <email>`: an admin confirms the person may be imported again. */
export async function forgetErasure(db: Kysely<Database>, email: string): Promise<boolean> {
  const result = await db.deleteFrom('erasures').where('email_hash', '=', emailHash(email)).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/**
 * A schedule file that still lists someone who asked to be erased: one problem per place,
 * naming the file and path, so the import changes nothing instead of re-creating them.
 */
export async function erasedPeopleProblems(trx: Kysely<Database>, schedules: LoadedSchedule[], t: ScheduleProblemTexts): Promise<ScheduleProblem[]> {
  const erased = new Map((await trx.selectFrom('erasures').select(['email_hash', 'erased_at']).execute()).map((e) => [e.email_hash, e.erased_at]));
  if (erased.size === 0) return [];
  const problems: ScheduleProblem[] = [];
  const check = (file: string, path: string, email: string) => {
    const at = erased.get(emailHash(email));
    if (!at) return;
    problems.push({
      file,
      path,
      message: t.erasedPerson(email, at.toISOString().slice(0, 10)),
    });
  };
  for (const { file, data } of schedules) {
    data.teams.forEach((team, t) => team.members.forEach((m, i) => check(file, `teams[${t}].members[${i}].email`, m.email)));
    data.staff.forEach((s, i) => check(file, `staff[${i}].email`, s.email));
  }
  return problems;
}
