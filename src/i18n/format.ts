import type { DateTime } from 'luxon';
import type { Language } from './messages.js';

const locales: Record<Language, string> = { pl: 'pl-PL', en: 'en-GB' };

/** "wtorek, 12 stycznia 2027, 10:00" in Polish; the zone is the one the DateTime carries. */
export function formatDateTime(value: DateTime, language: Language): string {
  const day = new Intl.DateTimeFormat(locales[language], {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: value.zoneName ?? 'UTC',
  }).format(value.toJSDate());
  // Intl joins date and time without a comma in Polish; the style guide wants "…2027, 10:00".
  return `${day}, ${formatTime(value, language)}`;
}

/** "12 stycznia 2027" */
export function formatDate(value: DateTime, language: Language): string {
  return new Intl.DateTimeFormat(locales[language], { day: 'numeric', month: 'long', year: 'numeric', timeZone: value.zoneName ?? 'UTC' }).format(
    value.toJSDate(),
  );
}

export function formatTime(value: DateTime, language: Language): string {
  return new Intl.DateTimeFormat(locales[language], { hour: '2-digit', minute: '2-digit', timeZone: value.zoneName ?? 'UTC' }).format(value.toJSDate());
}
