import { describe, expect, it } from 'vitest';
import { cutAt, shorten } from '../../../adapters/fit.js';

const segmenter = new Intl.Segmenter('pl', { granularity: 'grapheme' });
const boundaries = (text: string) => new Set([...segmenter.segment(text)].map((s) => s.index).concat(text.length));

/**
 * Review of issue 14: "never inside an emoji". boundaryBefore() in adapters/fit.ts segments only
 * a 64-unit window before the cut. Regional-indicator flags pair by parity, so when the window
 * starts in the middle of a flag (always the case when the cut does, 64 being a multiple of 4),
 * the segmenter pairs the wrong halves and never gets back in step: the cut splits a flag.
 */
describe('a cut in a run of flags', () => {
  const text = `Ab ${'🇵🇱'.repeat(200)}`; // flags start at 3; each is 4 UTF-16 units

  it('should fall on a grapheme boundary of the whole text', () => {
    const max = 3 + 4 * 100 + 2; // the middle of the 101st flag
    const cut = cutAt(text, max);
    // Fails today: the cut ends after half a flag (🇵🇱 … 🇵 — the last one a lone regional indicator).
    expect(boundaries(text).has(cut.length), `cut at ${cut.length}`).toBe(true);
  });

  it('should not leave a half flag before the "… (jeszcze N zn.)" note', () => {
    const out = shorten(text, 500, { language: 'pl' });
    const kept = out.slice(0, out.indexOf(' …'));
    expect(boundaries(text).has(kept.length), `kept ${kept.length}`).toBe(true);
  });
});
