import type { Kysely } from 'kysely';
import type { Database } from '../db/tables.js';
import { isValidAnswer, labelIn, valueText } from '../registration/questions.js';
import { registrationTotals } from '../registration/totals.js';
import { toCsv, type CsvValue } from './csv.js';

const STATUS = { accepted: 'weźmie udział', waiting: 'lista rezerwowa' } as const;

/**
 * `export registrations --activity ID`: the answers to the activity's registration questions,
 * in the project's Excel-Polish CSV. First a row per person coming (accepted, then the waiting
 * list in the same table, marked): name, institution, answer, one column per question (option
 * labels; "nieaktualna: …" for an answer to an option since removed). Then, after an empty
 * row, the totals over those who accepted: question, option, count (free text: how many answered).
 * undefined: no such activity.
 */
export async function exportRegistrations(db: Kysely<Database>, activityId: string): Promise<string | undefined> {
  const activity = await db.selectFrom('activities').select(['id']).where('id', '=', activityId).executeTakeFirst();
  if (!activity) return undefined;
  const totals = (await registrationTotals(db, [activityId], 'pl')).get(activityId);
  const questions = totals?.questions ?? [];
  const header = ['imię i nazwisko', 'instytucja', 'odpowiedź na zaproszenie', ...questions.map((q) => labelIn(q.question, 'pl'))];
  const people: CsvValue[][] = (totals?.people ?? [])
    .slice()
    .sort((a, b) => (a.answer === b.answer ? 0 : a.answer === 'accepted' ? -1 : 1))
    .map((p) => [
      p.name,
      p.institution,
      STATUS[p.answer],
      ...questions.map(({ question }) => {
        const value = p.values.get(question.id);
        if (value === undefined) return null;
        const text = valueText(question, value, 'pl');
        return isValidAnswer(question, value) ? text : `nieaktualna: ${text}`;
      }),
    ]);
  const summary: CsvValue[][] = [[], ['podsumowanie (osoby, które przyjęły zaproszenie)', null, totals?.accepted ?? 0], ['pytanie', 'odpowiedź', 'liczba']];
  for (const q of questions) {
    const label = labelIn(q.question, 'pl');
    if (q.question.kind === 'text') summary.push([label, 'odpowiedzi', q.texts.length]);
    else for (const o of q.options) summary.push([label, o.label, o.count]);
    summary.push([label, 'bez odpowiedzi', q.unanswered]);
    if (q.invalid) summary.push([label, 'nieaktualne', q.invalid]);
  }
  return toCsv(header, [...people, ...summary]);
}
