import type { Language } from '../i18n/messages.js';
import { registrationMessages } from '../i18n/registration-messages.js';
import { graphemeCount } from '../i18n/graphemes.js';
import type { Form, FormField } from '../ports/channel.port.js';
import { ANSWER_MAX_LENGTH, isValidAnswer, labelIn, type Question } from './questions.js';

/** The form id of an activity's registration: the bot finds its handler by the part before ":". */
export const REGISTRATION_FORM = 'registration';
export const registrationFormId = (activityId: string) => `${REGISTRATION_FORM}:${activityId}`;

/** The questions as a form, pre-filled with the person's answers that are still valid. */
export function registrationForm(activityId: string, questions: Question[], current: ReadonlyMap<string, string>, language: Language, intro?: string): Form {
  const t = registrationMessages[language];
  return {
    id: registrationFormId(activityId),
    title: t.formTitle,
    submitLabel: t.submit,
    ...(intro ? { intro } : {}),
    fields: questions.map((q): FormField => {
      const value = current.get(q.id);
      const shown = value !== undefined && isValidAnswer(q, value) ? { value } : {};
      const options = q.options.map((o) => ({ value: o.id, label: labelIn(o, language) }));
      if (q.kind === 'text') return { id: q.id, label: labelIn(q, language), kind: 'text', required: q.required, maxLength: ANSWER_MAX_LENGTH, ...shown };
      if (q.kind === 'choice') return { id: q.id, label: labelIn(q, language), kind: 'select', required: q.required, options, ...shown };
      return { id: q.id, label: `${labelIn(q, language)} (${t.multiHint})`, kind: 'multiselect', required: q.required, options, ...shown };
    }),
  };
}

export type ParsedAnswers = { ok: true; answers: Map<string, string> } | { ok: false; field: string; text: string };

/**
 * What was submitted, checked whole against the questions before anything is written: a choice
 * must be one of the options (a forged card or form post with another value is refused), free
 * text is at most ANSWER_MAX_LENGTH characters, required questions are answered. Fields that are
 * no question are ignored: only what RCPS asked is stored.
 */
export function parseAnswers(questions: Question[], values: Record<string, string>, language: Language): ParsedAnswers {
  const t = registrationMessages[language];
  const answers = new Map<string, string>();
  for (const q of questions) {
    const raw = Object.hasOwn(values, q.id) ? String(values[q.id]) : '';
    const label = labelIn(q, language);
    if (q.kind === 'text') {
      const text = raw.trim();
      if (graphemeCount(text) > ANSWER_MAX_LENGTH) return { ok: false, field: q.id, text: t.tooLong(label, ANSWER_MAX_LENGTH) };
      if (text) answers.set(q.id, text);
    } else {
      const chosen = [...new Set(raw.split(',').map((s) => s.trim()).filter(Boolean))];
      const ids = q.options.map((o) => o.id);
      if (chosen.some((c) => !ids.includes(c))) return { ok: false, field: q.id, text: t.unknownOption(label) };
      if (q.kind === 'choice' && chosen.length > 1) return { ok: false, field: q.id, text: t.oneOption(label) };
      // Stored in the order of the options, so the same choice is always the same value.
      if (chosen.length) answers.set(q.id, ids.filter((id) => chosen.includes(id)).join(','));
    }
    if (q.required && !answers.has(q.id)) return { ok: false, field: q.id, text: t.required(label) };
  }
  return { ok: true, answers };
}
