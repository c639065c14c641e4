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

type Case = 'genitive' | 'accusative' | 'instrumental' | 'locative';

/** The forms of a weekday a Polish sentence needs; Intl only knows the nominative. */
const WEEKDAY_FORMS: Record<string, Record<Case, string>> = {
  poniedziałek: { genitive: 'poniedziałku', accusative: 'poniedziałek', instrumental: 'poniedziałkiem', locative: 'poniedziałku' },
  wtorek: { genitive: 'wtorku', accusative: 'wtorek', instrumental: 'wtorkiem', locative: 'wtorku' },
  środa: { genitive: 'środy', accusative: 'środę', instrumental: 'środą', locative: 'środzie' },
  czwartek: { genitive: 'czwartku', accusative: 'czwartek', instrumental: 'czwartkiem', locative: 'czwartku' },
  piątek: { genitive: 'piątku', accusative: 'piątek', instrumental: 'piątkiem', locative: 'piątku' },
  sobota: { genitive: 'soboty', accusative: 'sobotę', instrumental: 'sobotą', locative: 'sobocie' },
  niedziela: { genitive: 'niedzieli', accusative: 'niedzielę', instrumental: 'niedzielą', locative: 'niedzieli' },
};

/** The case each preposition governs before a date (time expressions: "w środę", "na środę", "po środzie"). */
const GOVERNS = { do: 'genitive', od: 'genitive', z: 'genitive', na: 'accusative', w: 'accusative', przed: 'instrumental', po: 'locative' } as const;
export type Preposition = keyof typeof GOVERNS;

const LEADING_WEEKDAY = /^(poniedziałek|wtorek|środa|czwartek|piątek|sobota|niedziela)\b/u;

/** A formatted Polish date with its leading weekday (if any) put in the given case. */
export function weekdayInCase(formatted: string, grammaticalCase: Case | 'nominative'): string {
  if (grammaticalCase === 'nominative') return formatted;
  return formatted.replace(LEADING_WEEKDAY, (day) => WEEKDAY_FORMS[day]![grammaticalCase]);
}

/**
 * A Polish date after a preposition, declined and with the preposition's vowel where Polish
 * adds one: "do wtorku, 9 lutego 2027", "na środę, …", "we wtorek, …", "ze środy, …". A date
 * without a weekday ("9 lutego 2027") only gets the preposition ("w" becomes "w dniu").
 */
export function afterPreposition(preposition: Preposition, formatted: string): string {
  const day = LEADING_WEEKDAY.exec(formatted)?.[1];
  if (!day) return `${preposition === 'w' ? 'w dniu' : preposition} ${formatted}`;
  const declined = weekdayInCase(formatted, GOVERNS[preposition]);
  const vowel = (preposition === 'w' && day === 'wtorek') || (preposition === 'z' && day === 'środa') ? 'e' : '';
  return `${preposition}${vowel} ${declined}`;
}

/**
 * A Polish date as it reads after "do" or "od", which govern the genitive: "wtorek, 9 lutego 2027"
 * becomes "wtorku, 9 lutego 2027" (formatDateTime gives the weekday in the nominative).
 */
export function genitiveDate(formatted: string): string {
  return weekdayInCase(formatted, 'genitive');
}
