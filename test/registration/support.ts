import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { Clock } from '../../src/clock.js';
import type { Database } from '../../src/db/tables.js';
import { importSchedules } from '../../src/schedule/import-schedule.js';
import { loadScheduleFiles } from '../../src/schedule/load-schedule.js';
import { FIXTURE } from '../invitations/support.js';

/** The questions of a residential workshop: diet (required), nights, the bus, accessibility. */
export const QUESTIONS = `    questions:
      - id: dieta
        label: Dieta
        label_en: Diet
        kind: choice
        required: true
        options:
          - { id: zwykla, label: zwykła, label_en: regular }
          - { id: wege, label: wegetariańska, label_en: vegetarian }
          - { id: weganska, label: wegańska, label_en: vegan }
      - id: noclegi
        label: Noclegi (które noce)
        kind: multi-choice
        options:
          - { id: n1, label: 10/11 marca }
          - { id: n2, label: 11/12 marca }
      - id: transport
        label: Dojazd
        kind: choice
        options:
          - { id: lowicz, label: autokarem z Łowicza }
          - { id: lodz, label: autokarem z Łodzi }
          - { id: wlasny, label: we własnym zakresie }
      - id: dostepnosc
        label: Potrzeby dostępności
        kind: text
`;

/**
 * The invitation fixture imported again (same file name, so the same source) with `edit`
 * applied; by default the workshop gets QUESTIONS.
 */
export async function importWithQuestions(db: Kysely<Database>, clock: Clock, edit: (text: string) => string = withQuestions(QUESTIONS)) {
  const dir = mkdtempSync(join(tmpdir(), 'sched-'));
  const file = join(dir, 'workshop-30.yaml');
  writeFileSync(file, edit(readFileSync(FIXTURE, 'utf8')));
  return importSchedules(db, await loadScheduleFiles([file]), { clock, defaultTimezone: 'Europe/Warsaw' });
}

/** The workshop of the fixture (its rsvp_by line) followed by these questions. */
export const withQuestions = (questions: string) => (text: string) => text.replace('    rsvp_by: 2027-02-24\n', `    rsvp_by: 2027-02-24\n${questions}`);

/** A person's stored answers, by question. */
export async function storedAnswers(db: Kysely<Database>, activityId: string, email: string): Promise<Record<string, string>> {
  const rows = await db
    .selectFrom('registration_answers')
    .innerJoin('people', 'people.id', 'registration_answers.person_id')
    .select(['question_id', 'value'])
    .where('activity_id', '=', activityId)
    .where('people.email', '=', email)
    .execute();
  return Object.fromEntries(rows.map((r) => [r.question_id, r.value]));
}
