// One segmenter serves every language: grapheme boundaries do not depend on the locale.
const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * The length of a text as a person counts it: graphemes, not UTF-16 units (an emoji is one
 * character, not two or seven). Use it wherever a length limit is told to a person.
 *
 * @example graphemeCount('👍🏽 ok') // 4
 */
export function graphemeCount(text: string): number {
  const segments = segmenter.segment(text)[Symbol.iterator]();
  let n = 0;
  while (!segments.next().done) n++;
  return n;
}

/**
 * The first `max` graphemes of a text: a cut that never splits a surrogate pair (which would make
 * the text ill-formed: encodeURIComponent throws on it) nor a letter from its accent or an emoji
 * from its skin tone.
 */
export function graphemeSlice(text: string, max: number): string {
  let out = '';
  let n = 0;
  for (const { segment } of segmenter.segment(text)) {
    if (n++ >= max) break;
    out += segment;
  }
  return out;
}
