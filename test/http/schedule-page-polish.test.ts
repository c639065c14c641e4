import { describe, expect, it } from 'vitest';
import { schedulePageMessages } from '../../src/i18n/schedule-page-messages.js';

/**
 * Review of issue 14 (a careful Polish reader; the issue names "Najbliższe 5 spotkań" →
 * "Najbliższych", and bot-messages.ts follows it: "Najbliższych 5 spotkań"). The schedule page,
 * the first page a newcomer sees, still has:
 * - the heading "Najbliższe 8 tygodni": an adjective before 5+ agrees in the genitive
 *   ("Najbliższych 8 tygodni", as the page's own intro says "w najbliższych 8 tygodniach");
 * - "W innych programach: „Dodaj kalendarz” → „Z internetu” i wkleić ten adres.": an infinitive
 *   with no verb to hang on (nothing like "proszę wybrać … i wkleić").
 */
describe('the schedule page in Polish', () => {
  const t = schedulePageMessages.pl;

  it('should make the adjective agree with "8 tygodni"', () => {
    // Fails today: 'Najbliższe 8 tygodni'
    expect(t.listHeading).not.toMatch(/^Najbliższe \d/);
    expect(t.listHeading).toBe('Najbliższych 8 tygodni');
    expect(schedulePageMessages.en.listHeading).toBe('The next 8 weeks');
  });

  it('should give the subscribe help as a whole sentence', () => {
    // Fails today: '… → „Z internetu” i wkleić ten adres.'
    expect(t.urlHelp).toMatch(/(proszę|należy|wystarczy|można)/i);
  });
});
