import { DateTime } from 'luxon';
import type { CommandHandler } from '../bot/commands/context.js';
import { formatDate, formatDateTime } from '../i18n/format.js';
import type { Language } from '../i18n/messages.js';
import { presenceMessages } from '../i18n/presence-messages.js';
import type { Message } from '../ports/channel.port.js';
import { FAILURE_WINDOW_MINUTES, selfCheckIn, type SelfCheckinResult } from './self-checkin.js';

/** The answer to a self check-in, in the person's language (chat and the Jestem page alike). */
export function hereAnswer(language: Language, result: SelfCheckinResult, zone = 'Europe/Warsaw'): Message {
  const t = presenceMessages[language];
  const say = (text: string): Message => ({ language, title: t.hereTitle, text });
  if (result.ok) {
    const day = formatDate(DateTime.fromISO(result.day, { zone }), language);
    return say(result.changed ? t.hereOk(result.title, day) : t.hereAgain(result.title, day));
  }
  switch (result.reason) {
    case 'wrong_code':
      return say(t.hereWrong);
    case 'not_invited':
      return say(t.hereNotInvited);
    case 'too_many':
      return say(t.hereTooMany(FAILURE_WINDOW_MINUTES));
    case 'cancelled':
      return say(t.hereCancelled(result.title));
    case 'not_now':
      return say(t.hereNotNow(result.title, formatDateTime(result.opens, language), formatDateTime(result.closes, language)));
  }
}

/** `jestem <kod>` / `here <code>`: self check-in at an RCPS activity. */
export const hereCommand: CommandHandler = async ({ db, clock, person, text, changed }) => {
  const t = presenceMessages[person.language];
  if (!text.trim()) return { language: person.language, title: t.hereTitle, text: t.hereUsage };
  const result = await selfCheckIn(db, person.id, text, clock);
  if (result.ok && result.changed) changed();
  return hereAnswer(person.language, result);
};
