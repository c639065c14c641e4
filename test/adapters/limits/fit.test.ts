import { describe, expect, it } from 'vitest';
import { clip, countGraphemes, cutAt, howManyFit, moreNote, shorten, splitText } from '../../../adapters/fit.js';

const FAMILY = '👨‍👩‍👧‍👦';

describe('the one rule for long content (adapters/fit.ts)', () => {
  it('cuts only between whole characters: an emoji, a flag or an accented letter stays whole', () => {
    const text = `${'a'.repeat(9)}${FAMILY}b`;
    expect(cutAt(text, 12)).toBe('a'.repeat(9));
    expect(cutAt(`${'a'.repeat(9)}🇵🇱`, 10)).toBe('a'.repeat(9));
    expect(cutAt('e\u0301e\u0301', 1)).toBe('');
    expect(clip(`${'x'.repeat(148)}${FAMILY}`, 150)).toBe(`${'x'.repeat(148)}…`);
    expect(countGraphemes(`a${FAMILY}🇵🇱e\u0301`)).toBe(4); // a flag is one character, as Intl.Segmenter counts
  });

  it('never cuts inside a protected token, so no <url|label is left open', () => {
    const text = `ab <https://x.org/a|label> cd`;
    expect(cutAt(text, 10, /<[^>]*>/g)).toBe('ab ');
    expect(cutAt(text, 26, /<[^>]*>/g)).toBe('ab <https://x.org/a|label>');
  });

  it('shortens with what is left and the link to the whole', () => {
    const out = shorten('słowo '.repeat(100), 120, { language: 'pl', fullView: 'https://k.org/r/1', link: (l, u) => `[${l}](${u})` });
    expect(out.length).toBeLessThanOrEqual(120);
    expect(out).toMatch(/^słowo .* … \(jeszcze \d+ zn\.\) \[całość na stronie\]\(https:\/\/k\.org\/r\/1\)$/);
    expect(shorten('word '.repeat(100), 40, { language: 'en' })).toMatch(/… \(\d+ more characters\)$/);
    expect(shorten('krótki', 40, { language: 'pl' })).toBe('krótki');
    expect(moreNote('items', 5, { language: 'pl' })).toBe('… (jeszcze 5)');
    expect(moreNote('items', 1, { language: 'en' })).toBe('… (1 more)');
  });

  it('splits into pieces that lose nothing, at line ends first', () => {
    const text = Array.from({ length: 50 }, (_, i) => `linia ${i} ${FAMILY}`).join('\n');
    const pieces = splitText(text, 100);
    for (const p of pieces) expect(p.length).toBeLessThanOrEqual(100);
    expect(pieces.join('\n')).toBe(text);
    const oneLine = `${'słowo '.repeat(40)}${FAMILY.repeat(30)}`;
    const parts = splitText(oneLine, 50);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(50);
    expect(parts.join('').replace(/ /g, '')).toBe(oneLine.replace(/ /g, ''));
    for (const p of parts) expect(p).not.toMatch(/[\uD800-\uDBFF]$/);
  });

  it('finds how many entries fit by halving', () => {
    let calls = 0;
    expect(howManyFit(500, (k) => (calls++, k <= 137))).toBe(137);
    expect(calls).toBeLessThan(12);
  });
});
