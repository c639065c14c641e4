import type { HeldSeats } from '../invitations/capacity.js';
import type { ScheduleProblemTexts } from '../i18n/schedule-problem-messages.js';
import { offerFreeSeats } from '../invitations/seat-offers.js';
import { chunk, changedFields } from './import-plan.js';
import { fromEntry, replaceQuestions } from '../registration/questions.js';
import type { ImportContext } from './import-context.js';

/** Why a file's capacity is refused: it would take a seat from someone who accepted or holds an offer. */
export function capacityProblem(t: ScheduleProblemTexts, id: string, capacity: number, held: HeldSeats): string {
  const taken = held.accepted + held.offered;
  if (held.offered === 0) return t.capacityBelowAccepted(capacity, id, taken);
  return t.capacityBelowTaken(capacity, id, taken, held.accepted, held.offered);
}

/** Activities and their audiences. One a file no longer lists is cancelled (kept, with a record). */
export async function importActivities(ctx: ImportContext): Promise<void> {
  const { trx, desired, now, summary } = ctx;
  const existing = new Map((await trx.selectFrom('activities').selectAll().execute()).map((a) => [a.id, a]));
  const audiences = new Map<string, string[]>();
  for (const row of await trx.selectFrom('activity_audience').selectAll().orderBy('team_id').execute()) {
    audiences.set(row.activity_id, [...(audiences.get(row.activity_id) ?? []), row.team_id]);
  }

  const inserts = [];
  const audienceRows: { activity_id: string; team_id: string }[] = [];
  for (const [id, { source, entry, timezone, startsAt, endsAt }] of desired.activities) {
    const values = {
      kind: entry.kind,
      title: entry.title,
      description: entry.description ?? null,
      starts_local: entry.starts,
      ends_local: entry.ends,
      timezone,
      starts_at: startsAt,
      ends_at: endsAt,
      location: entry.location ?? null,
      online_url: entry.online ?? null,
      capacity: entry.capacity ?? null,
      rsvp_by: entry.rsvp_by ?? null,
      audience_all: entry.audience === 'all',
      public: entry.public,
      source,
      cancelled_at: null,
    };
    const audience = entry.audience === 'all' ? [] : [...new Set(entry.audience)].sort();
    const before = existing.get(id);
    if (!before) {
      inserts.push({ id, ...values, created_at: now, updated_at: now });
      audienceRows.push(...audience.map((team_id) => ({ activity_id: id, team_id })));
      summary.activities.added++;
      continue;
    }
    const fields = changedFields(before, values);
    const audienceChanged = JSON.stringify(audiences.get(id) ?? []) !== JSON.stringify(audience);
    if (fields.length === 0 && !audienceChanged) continue;
    await trx.updateTable('activities').set({ ...values, sequence: before.sequence + 1, updated_at: now }).where('id', '=', id).execute();
    if (audienceChanged) {
      await trx.deleteFrom('activity_audience').where('activity_id', '=', id).execute();
      audienceRows.push(...audience.map((team_id) => ({ activity_id: id, team_id })));
    }
    ctx.changes.push({ kind: 'activity_changed', activity_id: id, details: JSON.stringify({ fields: audienceChanged ? [...fields, 'audience'] : fields }) });
    summary.activities.updated++;
  }
  for (const rows of chunk(inserts)) await trx.insertInto('activities').values(rows).execute();
  for (const rows of chunk(audienceRows)) await trx.insertInto('activity_audience').values(rows).execute();

  // Registration questions, after their activities exist: a question the file no longer lists
  // goes with its answers (counted, so the summary says so).
  for (const [id, { entry }] of desired.activities) {
    const done = await replaceQuestions(trx, id, entry.questions.map(fromEntry));
    summary.questions.added += done.added;
    summary.questions.updated += done.updated;
    summary.questions.removed += done.removed;
    summary.registrationAnswersRemoved += done.answersRemoved;
  }

  // The seat rules of every change of capacity (capacity.ts): the rows are locked since the
  // check (lockSeats); what the files free, or an RSVP deadline they move, is offered now.
  const kept = [...existing.keys()].filter((id) => desired.activities.has(id));
  const withList = kept.length ? await trx.selectFrom('rsvps').select('activity_id').distinct().where('answer', '=', 'waiting').where('activity_id', 'in', kept).execute() : [];
  if (withList.length) {
    const activities = await trx.selectFrom('activities').selectAll().where('id', 'in', withList.map((w) => w.activity_id)).execute();
    for (const activity of activities) await offerFreeSeats(trx, activity, now);
  }

  for (const activity of existing.values()) {
    if (activity.cancelled_at || desired.activities.has(activity.id) || !desired.sources.has(activity.source)) continue;
    await trx
      .updateTable('activities')
      .set({ cancelled_at: now, sequence: activity.sequence + 1, updated_at: now })
      .where('id', '=', activity.id)
      .execute();
    ctx.changes.push({ kind: 'activity_cancelled', activity_id: activity.id, details: JSON.stringify({ title: activity.title }) });
    summary.activities.removed++;
  }
}
