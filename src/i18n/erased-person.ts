import type { Language } from './messages.js';

/**
 * What erasure writes where an erased person's name was (the people row, and free texts that
 * named them). Polish, as stored: the exports built from it are Polish documents for the funder.
 */
export const ERASED_NAME = 'osoba usunięta';

const shown: Record<Language, string> = { pl: ERASED_NAME, en: 'deleted person' };

/** The e-mail erasure gives a person (the row stays, so kept records still point at it). */
export const erasedEmail = (personId: number) => `erased-${personId}@erased.invalid`;
const ERASED_EMAIL = /^erased-\d+@erased\.invalid$/;

/** A stored person's name for a reader: an erased person (told by the e-mail erasure gave them) in the reader's language. */
export function personNameFor(person: { name: string | null; email: string | null }, language: Language): string | null {
  return person.email && ERASED_EMAIL.test(person.email) ? shown[language] : person.name;
}

/** A stored free text for a reader: where erasure took out a name, it says so in the reader's language. */
export function erasedNamesIn(text: string, language: Language): string {
  return language === 'pl' ? text : text.replaceAll(ERASED_NAME, shown[language]);
}
