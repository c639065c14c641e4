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
