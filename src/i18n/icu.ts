import { IntlMessageFormat, type PrimitiveType } from 'intl-messageformat';
import type { Language } from './messages.js';

const locales: Record<Language, string> = { pl: 'pl-PL', en: 'en-GB' };

// Parsing a pattern costs far more than formatting with it: keep one per language and pattern.
const compiled = new Map<string, IntlMessageFormat>();

/**
 * An ICU MessageFormat pattern filled in: every plural and select of a text goes through here,
 * so Polish "one/few/many" and English "one/other" are the CLDR rules, not our own guesses.
 *
 * @example icu('pl', '{n, plural, one {# osoba} few {# osoby} other {# osób}}', { n: 22 }) // "22 osoby"
 */
export function icu(language: Language, pattern: string, values: Record<string, PrimitiveType>): string {
  const key = `${language}\u0000${pattern}`;
  let format = compiled.get(key);
  if (!format) compiled.set(key, (format = new IntlMessageFormat(pattern, locales[language])));
  return String(format.format(values));
}

const numberFormats = new Map<Language, Intl.NumberFormat>();

/**
 * A number as the reader's language writes it, the way `#` in icu() does: English groups
 * thousands ("5,001"); Polish groups only from 10 000, with a no-break space (CLDR's minimum
 * grouping digits), so "5001" but "10 000". Every number in a text goes through here or icu().
 */
export function num(language: Language, n: number): string {
  let format = numberFormats.get(language);
  if (!format) numberFormats.set(language, (format = new Intl.NumberFormat(locales[language])));
  return format.format(n);
}
