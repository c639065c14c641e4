import type { Kysely } from 'kysely';
import type { Database } from '../db/tables.js';
import type { Language } from '../i18n/messages.js';
import { fromRow, isValidAnswer, labelIn, valueText, type Question } from './questions.js';

/** One person's registration, for the per-person export and the listed free-text answers. */
export interface PersonRegistration {
  personId: number;
  name: string;
  institution: string | null;
  answer: 'accepted' | 'waiting';
  values: Map<string, string>;
}

export interface QuestionTotals {
  question: Question;
  /** Choices: how many people who accepted chose each option (multi-choice: each option counted). */
  options: { id: string; label: string; count: number }[];
  /** Free text: every answer of those who accepted, with who gave it (RCPS needs to know whose needs). */
  texts: { name: string; institution: string | null; text: string }[];
  /** People who accepted and gave no answer (answers no longer valid are counted in `invalid`). */
  unanswered: number;
  /** Answers that were valid when given and are not any more (an option removed from the file). */
  invalid: number;
}

export interface RegistrationTotals {
  activityId: string;
  /** People whose answer is "accepted": the totals count only them (the waiting list is in the export). */
  accepted: number;
  questions: QuestionTotals[];
  people: PersonRegistration[];
}

/**
 * The totals RCPS orders meals, beds and the bus by: per question, per option, over the people
 * who accepted. Built per request from the stored answers (nothing is counted ahead).
 */
export async function registrationTotals(db: Kysely<Database>, activityIds: string[], language: Language): Promise<Map<string, RegistrationTotals>> {
  const out = new Map<string, RegistrationTotals>();
  if (activityIds.length === 0) return out;
  const questionRows = await db.selectFrom('activity_questions').selectAll().where('activity_id', 'in', activityIds).orderBy('activity_id').orderBy('position').execute();
  if (questionRows.length === 0) return out;
  const people = await db
    .selectFrom('rsvps')
    .innerJoin('people', 'people.id', 'rsvps.person_id')
    .select(['rsvps.activity_id', 'rsvps.person_id', 'rsvps.answer', 'people.name', 'people.institution'])
    .where('rsvps.activity_id', 'in', activityIds)
    .where('rsvps.answer', 'in', ['accepted', 'waiting'])
    .orderBy('people.name')
    .orderBy('people.id')
    .execute();
  const answers = await db.selectFrom('registration_answers').select(['activity_id', 'person_id', 'question_id', 'value']).where('activity_id', 'in', activityIds).execute();
  const valueOf = new Map(answers.map((a) => [`${a.activity_id}\u0000${a.person_id}\u0000${a.question_id}`, a.value]));

  for (const row of questionRows) {
    if (!out.has(row.activity_id)) out.set(row.activity_id, { activityId: row.activity_id, accepted: 0, questions: [], people: [] });
    const question = fromRow(row);
    out.get(row.activity_id)!.questions.push({
      question,
      options: question.options.map((o) => ({ id: o.id, label: labelIn(o, language), count: 0 })),
      texts: [],
      unanswered: 0,
      invalid: 0,
    });
  }
  for (const p of people) {
    const totals = out.get(p.activity_id);
    if (!totals) continue;
    const values = new Map<string, string>();
    for (const q of totals.questions) {
      const value = valueOf.get(`${p.activity_id}\u0000${p.person_id}\u0000${q.question.id}`);
      if (value !== undefined) values.set(q.question.id, value);
    }
    totals.people.push({ personId: p.person_id, name: p.name, institution: p.institution, answer: p.answer as 'accepted' | 'waiting', values });
    if (p.answer !== 'accepted') continue;
    totals.accepted++;
    for (const q of totals.questions) {
      const value = values.get(q.question.id);
      if (value === undefined) q.unanswered++;
      else if (!isValidAnswer(q.question, value)) q.invalid++;
      else if (q.question.kind === 'text') q.texts.push({ name: p.name, institution: p.institution, text: valueText(q.question, value, language) });
      else for (const id of value.split(',')) q.options.find((o) => o.id === id)!.count++;
    }
  }
  return out;
}
