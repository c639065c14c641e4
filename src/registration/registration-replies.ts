import type { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import type { ActivityRow, Database } from '../db/tables.js';
import { formatDateTime } from '../i18n/format.js';
import type { Language } from '../i18n/messages.js';
import { registrationMessages } from '../i18n/registration-messages.js';
import { rsvpClosesAt } from '../invitations/invitation-timing.js';
import type { Form, Message } from '../ports/channel.port.js';
import { loadQuestions, valueText } from './questions.js';
import { registrationForm } from './registration-form.js';
import { answersOf, type RegistrationOutcome } from './save-registration.js';

// What every channel shows of the registration: the form, and the reply to a submission (chat and the web page alike).

/** The registration form of an activity for one person (their valid answers pre-filled), or undefined when RCPS asks nothing. */
export async function registrationFormFor(db: Kysely<Database>, activityId: string, personId: number, language: Language, intro?: string): Promise<Form | undefined> {
  const questions = await loadQuestions(db, activityId);
  if (questions.length === 0) return undefined;
  return registrationForm(activityId, questions, await answersOf(db, activityId, personId), language, intro);
}

/** Until when answers may be changed, as a person reads it (the close of answers, or the start). */
export function editableUntil(activity: ActivityRow, language: Language): string {
  const closes = rsvpClosesAt(activity) ?? activity.starts_at;
  return formatDateTime(DateTime.fromJSDate(closes, { zone: activity.timezone }), language);
}

/** What the person is told after submitting: what was saved and until when it can change, or why nothing was. */
export function registrationOutcomeMessage(outcome: RegistrationOutcome, language: Language): Message {
  const t = registrationMessages[language];
  if (!outcome.ok) {
    const text = outcome.code === 'invalid' ? outcome.text : outcome.code === 'not_accepted' ? t.notAccepted : outcome.code === 'no_questions' ? t.noQuestions : t.refused[outcome.code]!;
    return { language, title: t.refusedTitle, text, ...(outcome.code === 'invalid' ? { formError: { fieldId: outcome.field, text } } : {}) };
  }
  const saved = t.saved(outcome.activity.title, editableUntil(outcome.activity, language));
  const answered = outcome.questions.filter((q) => outcome.answers.has(q.id));
  return {
    language,
    title: t.savedTitle,
    text: outcome.unchanged ? `${t.unchangedSaved}\n${saved}` : saved,
    fields: answered.map((q) => ({ label: q.label_en && language === 'en' ? q.label_en : q.label, value: valueText(q, outcome.answers.get(q.id)!, language) })),
  };
}

