import { describe, expect, it } from 'vitest';
import type { Question } from '../../src/registration/questions.js';
import { parseAnswers, registrationForm } from '../../src/registration/registration-form.js';

const questions: Question[] = [
  { id: 'dieta', kind: 'choice', label: 'Dieta', label_en: 'Diet', required: true, options: [{ id: 'zwykla', label: 'zwykła', label_en: 'regular' }, { id: 'wege', label: 'wegetariańska', label_en: 'vegetarian' }] },
  { id: 'noclegi', kind: 'multi-choice', label: 'Noclegi', required: false, options: [{ id: 'n1', label: '10/11' }, { id: 'n2', label: '11/12' }] },
  { id: 'dostepnosc', kind: 'text', label: 'Potrzeby dostępności', label_en: 'Accessibility needs', required: false, options: [] },
];

describe('the registration form and what it accepts', () => {
  it('should ask in English where the file gives English labels, and fall back to Polish', () => {
    const form = registrationForm('w', questions, new Map([['noclegi', 'n2'], ['dieta', 'kawior']]), 'en');
    expect(form.id).toBe('registration:w');
    expect(form.fields.map((f) => [f.label, f.kind, f.value])).toEqual([
      ['Diet', 'select', undefined], // a stored value that is no option is not pre-filled
      ['Noclegi (choose any)', 'multiselect', 'n2'],
      ['Accessibility needs', 'text', undefined],
    ]);
    expect(form.fields[0]!.options).toEqual([{ value: 'zwykla', label: 'regular' }, { value: 'wege', label: 'vegetarian' }]);
  });

  it('should store choices in the order of the options, once each, and ignore fields that are no question', () => {
    const parsed = parseAnswers(questions, { dieta: 'wege', noclegi: 'n2, n1,n2', extra: 'x', dostepnosc: '  ' }, 'pl');
    expect(parsed).toEqual({ ok: true, answers: new Map([['dieta', 'wege'], ['noclegi', 'n1,n2']]) });
  });

  it.each([
    [{ noclegi: 'n1' }, 'dieta', 'Prosimy odpowiedzieć na pytanie „Dieta”. Nic nie zapisano.'],
    [{ dieta: 'zwykla,wege' }, 'dieta', 'Na pytanie „Dieta” prosimy wybrać jedną odpowiedź. Nic nie zapisano.'],
    [{ dieta: 'wege', noclegi: 'n1,n3' }, 'noclegi', 'Na pytanie „Noclegi” można odpowiedzieć tylko jedną z podanych możliwości. Nic nie zapisano.'],
    [{ dieta: 'constructor' }, 'dieta', 'Na pytanie „Dieta” można odpowiedzieć tylko jedną z podanych możliwości. Nic nie zapisano.'],
  ])('should refuse %j naming the field', (values, field, text) => {
    expect(parseAnswers(questions, values, 'pl')).toEqual({ ok: false, field, text });
  });

  it('should count free text in characters as a person does: 500 emoji fit, 501 do not', () => {
    expect(parseAnswers(questions, { dieta: 'wege', dostepnosc: '👍🏽'.repeat(500) }, 'pl').ok).toBe(true);
    expect(parseAnswers(questions, { dieta: 'wege', dostepnosc: '👍🏽'.repeat(501) }, 'pl')).toMatchObject({ ok: false, field: 'dostepnosc' });
  });
});
