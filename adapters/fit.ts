import type { Language } from '../src/i18n/messages.js';

/**
 * The one rule every renderer follows when content is longer than a platform takes (issue 14):
 * split it over several blocks or containers where the platform allows; where it does not,
 * shorten it at a character (grapheme) boundary and say what is left, "… (jeszcze N)", with a
 * link to the whole on the web where there is one. Never cut silently, never inside an emoji or
 * an accented letter, never inside a link or an escape (the `protect` tokens).
 * Lengths are UTF-16 code units: what String.length, Slack and Teams count.
 */

const graphemes = new Intl.Segmenter('pl', { granularity: 'grapheme' });

/** The words of the rule, in the message's language; "zn." keeps the Polish free of plural forms. */
export const fitTexts: Record<
  Language,
  { moreChars: (n: number) => string; moreItems: (n: number) => string; whole: string; linkTooLong: (label: string, max: number) => string; formTooLong: string }
> = {
  pl: {
    moreChars: (n) => `… (jeszcze ${n} zn.)`,
    moreItems: (n) => `… (jeszcze ${n})`,
    whole: 'całość na stronie',
    linkTooLong: (label, max) => `„${label}”: odnośnik jest dłuższy niż ${max} znaków i nie mieści się w tej wiadomości.`,
    formTooLong: 'Formularz jest za długi, by zmieścił się w tej wiadomości: proszę go wypełnić na stronie (przycisk poniżej).',
  },
  en: {
    moreChars: (n) => `… (${n} more ${n === 1 ? 'character' : 'characters'})`,
    moreItems: (n) => `… (${n} more)`,
    whole: 'full view on the web',
    linkTooLong: (label, max) => `"${label}": the link is longer than ${max.toLocaleString('en')} characters and does not fit in this message.`,
    formTooLong: 'The form is too long to fit in this message: please fill it in on the web (the button below).',
  },
};

/**
 * How many characters a person sees in the text, for "… (jeszcze N zn.)": graphemes, as
 * Intl.Segmenter (and src/i18n/graphemes.ts) counts them. Segmenting thousands of characters is
 * slow, so only the stretches between safe points that hold more than a plain character (emoji,
 * flags, combining marks, line ends) are segmented; each plain character is one.
 */
export function countGraphemes(text: string): number {
  let n = 0;
  let last = 0;
  for (let i = 1; i <= text.length; i++) {
    if (i < text.length && !(isSimple(text.charCodeAt(i - 1)) && isSimple(text.charCodeAt(i)))) continue;
    if (i - last === 1) n++;
    else for (const _ of graphemes.segment(text.slice(last, i))) n++;
    last = i;
  }
  return n;
}

const globalOf = (re: RegExp) => (re.global ? re : new RegExp(re.source, `${re.flags}g`));

/** Spans of protected tokens (links, escapes) in the text. */
function spans(text: string, protect: RegExp | undefined): [number, number][] {
  if (!protect) return [];
  return [...text.matchAll(globalOf(protect))].filter((m) => m[0].length > 0).map((m) => [m.index, m.index + m[0].length]);
}

/**
 * A character that is a grapheme of its own and never joins its neighbours: printable Latin
 * (ASCII, Polish letters, up to U+02FF) but not © and ® (emoji that a ZWJ may join). Between two
 * such characters there is always a grapheme boundary, whatever comes before them.
 */
const isSimple = (code: number) =>
  (code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0x2ff && code !== 0xa9 && code !== 0xae);

/**
 * The nearest position at or before `at` that is surely a grapheme boundary of the whole text:
 * between two simple characters, or the start. Segmentation from there agrees with segmentation
 * of the whole text (flags pair by parity from the start of their run, so any other start can
 * put the pairs out of step).
 */
function safeStart(text: string, at: number): number {
  let i = Math.min(at, text.length);
  while (i > 0 && !(isSimple(text.charCodeAt(i)) && isSimple(text.charCodeAt(i - 1)))) i--;
  return i;
}

/**
 * The last grapheme boundary at or before `at`. Only the stretch from a safe start before it is
 * segmented (a long text is not walked from its start each time): in ordinary text a few
 * characters back, in a run of emoji back to its start.
 */
function boundaryBefore(text: string, at: number): number {
  const from = safeStart(text, Math.max(0, at - 64));
  let end = from;
  for (const { index, segment } of graphemes.segment(text.slice(from, at + 64))) {
    const next = from + index + segment.length;
    if (next > at) break;
    end = next;
  }
  return end;
}

/** The longest start of `text` of whole graphemes and whole protected tokens, at most `max` units long. */
export function cutAt(text: string, max: number, protect?: RegExp): string {
  if (text.length <= max) return text;
  if (max <= 0) return '';
  let end = boundaryBefore(text, max);
  if (protect) {
    for (const m of text.matchAll(globalOf(protect))) {
      if (m.index >= end) break;
      if (m.index + m[0].length > end) {
        end = m.index;
        break;
      }
    }
  }
  return text.slice(0, end);
}

export interface Shortening {
  language: Language;
  /** The page with the whole content, when there is one. */
  fullView?: string;
  /** How this platform writes a link (Slack <url|label>, Markdown [label](url), plain "label: url"). */
  link?: (label: string, url: string) => string;
  protect?: RegExp;
  /** What the reader sees of a stretch of rendered text (Slack: `&amp;` is "&", a link its label), for counting what is left. */
  seen?: (text: string) => string;
}

/** How many characters the reader sees in a stretch of rendered text. */
export const charsSeen = (text: string, how: Shortening): number => countGraphemes(how.seen ? how.seen(text) : text);

/** What follows a shortened text or list: how much is left and where the whole is. */
export function moreNote(kind: 'chars' | 'items', left: number, how: Shortening): string {
  const t = fitTexts[how.language];
  const note = kind === 'chars' ? t.moreChars(left) : t.moreItems(left);
  return how.fullView && how.link ? `${note} ${how.link(t.whole, how.fullView)}` : note;
}

/** `text` whole when it fits in `max` units; else its start at a safe boundary and the note of what is left. */
export function shorten(text: string, max: number, how: Shortening): string {
  if (text.length <= max) return text;
  const longestNote = moreNote('chars', charsSeen(text, how), how);
  const room = max - longestNote.length - 1;
  if (room <= 0) return cutAt(longestNote, max);
  const kept = cutAt(text, room, how.protect).trimEnd();
  const note = moreNote('chars', charsSeen(text.slice(kept.length).trim(), how), how);
  return `${kept}${kept ? ' ' : ''}${note}`;
}

/** A short label (a header, a button): cut at a grapheme boundary with "…"; the caller shows the whole elsewhere. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${cutAt(text, max - 1).trimEnd()}…`;
}

/**
 * `text` in pieces of at most `max` units, nothing lost: broken at a line end where one is in
 * the second half of a piece, else at a space, else between characters; never in a token.
 */
export function splitText(text: string, max: number, protect?: RegExp): string[] {
  const out: string[] = [];
  let rest = text;
  while (rest.length > max) {
    // A token longer than a piece (a giant link) cannot stay whole: break it between characters.
    const head = cutAt(rest, max, protect) || cutAt(rest, max) || rest.slice(0, max);
    const at = breakPoint(head, protect);
    const piece = at > 0 ? head.slice(0, at) : head;
    out.push(piece.trimEnd());
    rest = rest.slice(piece.length).replace(/^[\n ]/, '');
  }
  if (rest.trim() || out.length === 0) out.push(rest);
  return out.filter((p, i) => p.trim() || i === 0);
}

/** A line end (or else a space) in the second half of `head`, outside protected tokens; 0 when none. */
function breakPoint(head: string, protect: RegExp | undefined): number {
  const inToken = spans(head, protect);
  const free = (i: number) => !inToken.some(([s, e]) => s <= i && i < e);
  for (const mark of ['\n', ' ']) {
    for (let i = head.lastIndexOf(mark); i >= head.length / 2; i = head.lastIndexOf(mark, i - 1)) if (free(i)) return i;
  }
  return 0;
}

/**
 * How many of `total` entries fit: `fits(k)` says whether the first k do. Largest k by bisection,
 * so a 500-entry list is measured about nine times, not 500.
 */
export function howManyFit(total: number, fits: (k: number) => boolean): number {
  if (fits(total)) return total;
  let low = 0;
  let high = total;
  while (high - low > 1) {
    const mid = (low + high) >> 1;
    if (fits(mid)) low = mid;
    else high = mid;
  }
  return low;
}
