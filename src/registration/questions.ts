import type { Kysely } from 'kysely';
import type { ActivityQuestionRow, Database } from '../db/tables.js';
import type { Language } from '../i18n/messages.js';
import type { QuestionEntry } from '../schedule/schedule-file.schema.js';

export { ANSWER_MAX_LENGTH, MAX_OPTIONS, MAX_QUESTIONS, QUESTION_KINDS } from '../schedule/schedule-file.schema.js';

export interface QuestionOption {
  id: string;
  label: string;
  label_en?: string;
}

/** One registration question as the core uses it (a row of activity_questions, its options parsed). */
export interface Question {
  id: string;
  kind: 'text' | 'choice' | 'multi-choice';
  label: string;
  label_en?: string;
  required: boolean;
  options: QuestionOption[];
}

export const labelIn = (thing: { label: string; label_en?: string | null }, language: Language): string => (language === 'en' && thing.label_en ? thing.label_en : thing.label);

export function fromRow(row: ActivityQuestionRow): Question {
  return {
    id: row.question_id,
    kind: row.kind,
    label: row.label,
    ...(row.label_en ? { label_en: row.label_en } : {}),
    required: row.required,
    options: JSON.parse(row.options) as QuestionOption[],
  };
}

export function fromEntry(entry: QuestionEntry): Question {
  return {
    id: entry.id,
    kind: entry.kind,
    label: entry.label,
    ...(entry.label_en ? { label_en: entry.label_en } : {}),
    required: entry.required,
    options: (entry.options ?? []).map((o) => ({ id: o.id, label: o.label, ...(o.label_en ? { label_en: o.label_en } : {}) })),
  };
}

/** The questions of an activity, in the order they are asked. */
export async function loadQuestions(db: Kysely<Database>, activityId: string): Promise<Question[]> {
  const rows = await db.selectFrom('activity_questions').selectAll().where('activity_id', '=', activityId).orderBy('position').execute();
  return rows.map(fromRow);
}

/**
 * Whether a stored value still answers the question as it is now: a choice whose option was
 * removed (or a question whose kind changed) is no longer valid. Such answers are kept as they
 * were said, shown to RCPS as "no longer valid", left out of the totals, and not pre-filled when
 * the person opens the form again (docs/participation.md).
 */
export function isValidAnswer(question: Question, value: string): boolean {
  if (question.kind === 'text') return value.length > 0;
  const ids = new Set(question.options.map((o) => o.id));
  const chosen = value.split(',');
  if (question.kind === 'choice') return chosen.length === 1 && ids.has(value);
  return chosen.length > 0 && chosen.every((c) => ids.has(c));
}

/** A stored value in words: option labels for choices, the text as typed otherwise. */
export function valueText(question: Question, value: string, language: Language): string {
  if (question.kind === 'text') return value;
  const byId = new Map(question.options.map((o) => [o.id, labelIn(o, language)]));
  return value
    .split(',')
    .map((id) => byId.get(id) ?? id)
    .join(', ');
}

/**
 * Replaces an activity's questions with `wanted` (an import, or a new activity from chat).
 * A question no longer listed is deleted with its answers (answersRemoved says how many, so the
 * import can tell the operator). A question whose options changed keeps its answers: those that
 * are no longer valid are shown as such (isValidAnswer).
 */
export async function replaceQuestions(trx: Kysely<Database>, activityId: string, wanted: Question[]): Promise<{ added: number; updated: number; removed: number; answersRemoved: number }> {
  const before = new Map((await loadQuestions(trx, activityId)).map((q, i) => [q.id, { q, i }]));
  const keep = new Set(wanted.map((q) => q.id));
  const gone = [...before.keys()].filter((id) => !keep.has(id));
  const result = { added: 0, updated: 0, removed: gone.length, answersRemoved: 0 };
  if (gone.length) {
    const removed = await trx.deleteFrom('registration_answers').where('activity_id', '=', activityId).where('question_id', 'in', gone).executeTakeFirst();
    result.answersRemoved = Number(removed.numDeletedRows);
    await trx.deleteFrom('activity_questions').where('activity_id', '=', activityId).where('question_id', 'in', gone).execute();
  }
  for (const [position, q] of wanted.entries()) {
    const old = before.get(q.id);
    if (old && old.i === position && JSON.stringify(old.q) === JSON.stringify(q)) continue;
    if (old) result.updated++;
    else result.added++;
    const values = { position, kind: q.kind, label: q.label, label_en: q.label_en ?? null, required: q.required, options: JSON.stringify(q.options) };
    await trx
      .insertInto('activity_questions')
      .values({ activity_id: activityId, question_id: q.id, ...values })
      .onConflict((oc) => oc.columns(['activity_id', 'question_id']).doUpdateSet(values))
      .execute();
  }
  return result;
}

/** A decline or "maybe" takes the person out of those coming: their registration answers go (rsvp.ts, same transaction). */
export async function forgetRegistration(trx: Kysely<Database>, activityId: string, personId: number): Promise<void> {
  await trx.deleteFrom('registration_answers').where('activity_id', '=', activityId).where('person_id', '=', personId).execute();
}
