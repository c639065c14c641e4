import { formatDate, formatDateTime } from '../i18n/format.js';
import type { Language } from '../i18n/messages.js';
import { participationMessages } from '../i18n/participation-messages.js';
import type { Message } from '../ports/channel.port.js';
import { isCalendarDate, MAX_REASON_LENGTH, type AnswerMeetingResult } from './meeting-answers.js';
import { DateTime } from 'luxon';

/** What a person is told about their answer: what was recorded, or why not (politely, changing nothing). */
export function answerReply(result: AnswerMeetingResult, language: Language, asked: { date?: string; email?: string } = {}): Message & { ok: boolean } {
  const t = participationMessages[language];
  if (result.ok) {
    return { ok: true, language, title: t.title, text: t.recorded(result.answer, result.teamName, formatDateTime(result.start, language), result.substitute?.name) };
  }
  const r = t.refusals;
  // A forged or broken date is named as it came (shortened), never parsed into "Invalid DateTime".
  const date = asked.date && isCalendarDate(asked.date) ? formatDate(DateTime.fromISO(asked.date), language) : language === 'pl' ? `„${(asked.date ?? '').slice(0, 20)}”` : `"${(asked.date ?? '').slice(0, 20)}"`;
  const text =
    result.code === 'no_meeting'
      ? r.no_meeting(date)
      : result.code === 'unknown_substitute'
        ? r.unknown_substitute(asked.email ?? '')
        : result.code === 'other_institution'
          ? r.other_institution(asked.email ?? '')
          : result.code === 'reason_too_long'
            ? r.reason_too_long(MAX_REASON_LENGTH)
            : r[result.code];
  return { ok: false, language, title: t.title, text };
}
