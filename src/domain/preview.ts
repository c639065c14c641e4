/**
 * The start of a person's text where a list shows only a glimpse of it (a digest's latest
 * status, a report in a list): whole characters only, so an emoji or an accented letter is
 * never cut in two (half an emoji makes a Slack payload invalid), and "…" when cut. The
 * renderers' own rule for what does not fit a platform is adapters/fit.ts.
 */
const graphemes = new Intl.Segmenter('pl', { granularity: 'grapheme' });

export function preview(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = 0;
  for (const { index, segment } of graphemes.segment(text.slice(0, max + 32))) {
    if (index + segment.length > max) break;
    end = index + segment.length;
  }
  return `${text.slice(0, end).trimEnd()}…`;
}
