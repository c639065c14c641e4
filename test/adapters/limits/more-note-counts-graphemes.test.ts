import { describe, expect, it } from 'vitest';
import { countGraphemes, shorten } from '../../../adapters/fit.js';
import { graphemeCount } from '../../../src/i18n/graphemes.js';

/**
 * Review of issue 14 ("lengths … told to people" in graphemes; the project's own measure is
 * src/i18n/graphemes.ts). The "… (jeszcze N zn.)" note of adapters/fit.ts counts with a regular
 * expression that is not grapheme segmentation: a flag counts as two (known, in its comment),
 * but also a subdivision flag (🏴 + 6 tag characters) as seven, a keycap-less tag sequence, and
 * decomposed Hangul syllables as three. The note then tells a person more characters are left
 * than there are.
 */
describe('how many characters the note says are left', () => {
  it.each([
    ['Polish flags', '🇵🇱'],
    ['the Scottish flag (tag sequence)', '🏴󠁧󠁢󠁳󠁣󠁴󠁿'],
    ['a decomposed Hangul syllable', '\u1112\u1161\u11AB'],
  ])('%s: as graphemeCount counts them', (_, one) => {
    const text = one.repeat(50);
    // Fails today: 100, 350 and 150 instead of 50.
    expect(countGraphemes(text)).toBe(graphemeCount(text));
  });

  it('should count the flags left out once each, not twice', () => {
    const out = shorten(`Ogłoszenie: ${'🇵🇱'.repeat(300)}`, 60, { language: 'pl' });
    const told = Number(/jeszcze (\d+) zn\./.exec(out)?.[1]);
    const kept = out.slice(0, out.indexOf(' …'));
    const left = graphemeCount(`Ogłoszenie: ${'🇵🇱'.repeat(300)}`) - graphemeCount(kept);
    expect(told).toBe(left);
  });
});
