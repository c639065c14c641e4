import { describe, expect, it } from 'vitest';
import { botMessages } from '../../src/i18n/bot-messages.js';

/**
 * Review: the new headers of `spotkania` (all teams, one team) agree the adjective with the
 * numeral only for 2-4: "Najbliższe 2 spotkania" is right, but with 5 or more (and 12-14) Polish
 * takes the genitive plural: "Najbliższych 5 spotkań", not "Najbliższe 5 spotkań".
 */
// (\b would not do: "ń" is no word character for RegExp, so no boundary follows "spotkań".)
describe('the meeting list headers in Polish', () => {
  const t = botMessages.pl;

  it.each([
    [1, 'Najbliższe spotkanie'],
    [3, 'Najbliższe 3 spotkania'],
    [5, 'Najbliższych 5 spotkań'],
    [12, 'Najbliższych 12 spotkań'],
    [25, 'Najbliższych 25 spotkań'],
  ])('should agree with %i meetings', (n, start) => {
    expect(t.meetingsSummaryAll(n).replace(/ 1 spotkanie/, ' spotkanie')).toMatch(new RegExp(`^${start} `));
    expect(t.meetingsSummaryOne(n, 'PZK Łódź').replace(/ 1 spotkanie/, ' spotkanie')).toMatch(new RegExp(`^${start} `));
  });
});
