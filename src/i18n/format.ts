import type { DateTime } from 'luxon';
import type { Language } from './messages.js';

const locales: Record<Language, string> = { pl: 'pl-PL', en: 'en-GB' };

// Making an Intl.DateTimeFormat costs far more than using one: keep one per language, zone and form.
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(language: Language, timeZone: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${language} ${timeZone} ${JSON.stringify(options)}`;
  let format = formatters.get(key);
  if (!format) formatters.set(key, (format = new Intl.DateTimeFormat(locales[language], { ...options, timeZone })));
  return format;
}

/** "wtorek, 12 stycznia 2027, 10:00" in Polish; the zone is the one the DateTime carries. */
export function formatDateTime(value: DateTime, language: Language): string {
  const day = formatter(language, value.zoneName ?? 'UTC', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }).format(value.toJSDate());
  // Intl joins date and time without a comma in Polish; the style guide wants "…2027, 10:00".
  return `${day}, ${formatTime(value, language)}`;
}

/** "12 stycznia 2027" */
export function formatDate(value: DateTime, language: Language): string {
  return formatter(language, value.zoneName ?? 'UTC', { day: 'numeric', month: 'long', year: 'numeric' }).format(value.toJSDate());
}

export function formatTime(value: DateTime, language: Language): string {
  return formatter(language, value.zoneName ?? 'UTC', { hour: '2-digit', minute: '2-digit' }).format(value.toJSDate());
}

const GENITIVE_WEEKDAYS: Record<string, string> = {
  poniedziałek: 'poniedziałku',
  wtorek: 'wtorku',
  środa: 'środy',
  czwartek: 'czwartku',
  piątek: 'piątku',
  sobota: 'soboty',
  niedziela: 'niedzieli',
};

/**
 * A Polish date as it reads after "do" or "od", which govern the genitive: "wtorek, 9 lutego 2027"
 * becomes "wtorku, 9 lutego 2027" (formatDateTime gives the weekday in the nominative).
 */
export function genitiveDate(formatted: string): string {
  return formatted.replace(/^(poniedziałek|wtorek|środa|czwartek|piątek|sobota|niedziela)\b/u, (day) => GENITIVE_WEEKDAYS[day]!);
}
