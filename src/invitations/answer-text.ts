import { invitationMessages } from '../i18n/invitation-messages.js';
import type { Language } from '../i18n/messages.js';
import type { RsvpOutcome } from './rsvp.js';

/** What a person is told after answering, in any channel: where they stand, or why nothing changed. */
export function outcomeText(outcome: RsvpOutcome, language: Language): { title: string; text: string; ok: boolean } {
  const t = invitationMessages[language];
  if (!outcome.ok) return { ok: false, title: t.refusedTitle, text: t.refused[outcome.code]! };
  const title = outcome.activity.title;
  const where =
    outcome.status === 'waiting'
      ? t.waiting(title, outcome.place)
      : outcome.status === 'accepted'
        ? t.accepted(title)
        : outcome.status === 'declined'
          ? t.declined(title)
          : t.maybe(title);
  return { ok: true, title: t.answerTitle, text: outcome.unchanged ? `${t.unchanged}\n${where}` : where };
}
