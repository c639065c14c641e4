import { describe, expect, it } from 'vitest';
import { formatProblemIn, parseScheduleText } from '../../src/schedule/load-schedule.js';

const file = (questions: string) => `timezone: Europe/Warsaw
activities:
  - id: warsztaty-2027-1
    kind: workshop
    title: Warsztaty wyjazdowe
    starts: 2027-03-10T09:00
    ends: 2027-03-11T16:00
    audience: all
    questions:
${questions}`;

const GOOD = `      - id: dieta
        label: Dieta
        label_en: Diet
        kind: choice
        required: true
        options:
          - { id: zwykla, label: zwykła, label_en: regular }
          - { id: wege, label: wegetariańska, label_en: vegetarian }
      - id: noclegi
        label: Noclegi (które noce)
        kind: multi-choice
        options:
          - { id: n1, label: 10/11 marca }
          - { id: n2, label: 11/12 marca }
      - id: dostepnosc
        label: Potrzeby dostępności
        kind: text`;

describe('registration questions in a schedule file', () => {
  it('should read the questions of an activity with their kinds, options and defaults', () => {
    const { data, problems } = parseScheduleText('a.yaml', file(GOOD));
    expect(problems).toEqual([]);
    const questions = data!.activities[0]!.questions;
    expect(questions.map((q) => [q.id, q.kind, q.required])).toEqual([
      ['dieta', 'choice', true],
      ['noclegi', 'multi-choice', false],
      ['dostepnosc', 'text', false],
    ]);
    expect(questions[0]!.options![1]).toEqual({ id: 'wege', label: 'wegetariańska', label_en: 'vegetarian' });
  });

  it('should list every problem of the questions in one run, each with its line and path, in Polish', () => {
    const bad = `      - id: Dieta
        label: Dieta
        kind: wybór
      - id: noclegi
        label: Noclegi
        kind: multi-choice
      - id: noclegi
        label: ''
        kind: text
        options: [{ id: a, label: A }]
      - id: transport
        label: Dojazd
        kind: choice
        colour: red
        options:
          - { id: lowicz, label: z Łowicza }
          - { id: lowicz, label: z Łowicza (drugi raz) }`;
    const { problems } = parseScheduleText('calendars/wyjazd.yaml', file(bad), new Set(), 'pl');
    const lines = problems.map((p) => formatProblemIn(p, 'pl')).sort();
    expect(lines).toEqual(
      [
        'calendars/wyjazd.yaml:10: activities[0].questions[0].id: może zawierać tylko a–z, 0–9 i „-” (jest częścią linków)',
        'calendars/wyjazd.yaml:12: activities[0].questions[0].kind: musi mieć jedną z wartości: text, choice, multi-choice',
        'calendars/wyjazd.yaml:15: activities[0].questions[1].kind: pytanie kind: multi-choice potrzebuje listy options z co najmniej jedną odpowiedzią, np. options: [{ id: wege, label: wegetariańska }]',
        'calendars/wyjazd.yaml:16: activities[0].questions[2].id: identyfikator pytania „noclegi” się powtarza w tym wydarzeniu',
        'calendars/wyjazd.yaml:17: activities[0].questions[2].label: nie może być puste',
        'calendars/wyjazd.yaml:19: activities[0].questions[2].options: pytanie z odpowiedzią tekstową (kind: text) nie ma listy options; prosimy ją usunąć albo wpisać kind: choice',
        'calendars/wyjazd.yaml:23: activities[0].questions[3].colour: nieznany klucz `colour`',
        'calendars/wyjazd.yaml:26: activities[0].questions[3].options[1].id: identyfikator odpowiedzi „lowicz” się powtarza w tym pytaniu',
      ].sort(),
    );
  });

  it('should say the same in English for --lang en', () => {
    const { problems } = parseScheduleText('a.yaml', file(`      - id: d\n        label: D\n        kind: choice`), new Set(), 'en');
    expect(problems.map((p) => formatProblemIn(p, 'en'))).toEqual([
      'a.yaml:12: activities[0].questions[0].kind: a kind: choice question needs options with at least one answer, e.g. options: [{ id: vegetarian, label: wegetariańska }]',
    ]);
  });
});
