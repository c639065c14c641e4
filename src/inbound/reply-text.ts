/**
 * The person's own words in a reply: what is above the quoted mail and the signature. Mail
 * clients mark the quote differently; each marker ends the reply at its line.
 */
const QUOTE_STARTS: RegExp[] = [
  /^>/, // "> quoted line"
  /^(W dniu|Dnia)\b.*(napisał|napisała|napisał\(a\)|pisze)\s*:?\s*$/i, // Thunderbird, Gmail in Polish
  /^On\b.*\bwrote:\s*$/i, // Gmail, Apple Mail in English
  /^-{2,}\s*(Original Message|Wiadomość oryginalna|Oryginalna wiadomość)\s*-{2,}\s*$/i, // Outlook
  /^_{5,}\s*$/, // Outlook's rule above "Od: … Wysłane: …"
  /^(Od|From):\s.+$/i, // Outlook's header block without a rule
  /^-- ?$/, // the signature separator (RFC 3676)
  /^(Wysłane z|Sent from my)\b/i, // phone footers
];

export function ownWords(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const kept: string[] = [];
  for (const line of lines) {
    const trimmed = line.trim();
    if (QUOTE_STARTS.some((q) => q.test(trimmed))) break;
    // "W dniu 3.12.2026 o 10:00 Kooperator" wrapped before "napisał:" by the client.
    if (/^(W dniu|Dnia|On)\b/i.test(trimmed) && lines.slice(lines.indexOf(line) + 1, lines.indexOf(line) + 3).some((l) => /(napisał|wrote)\S*\s*:?\s*$/i.test(l.trim()))) break;
    kept.push(line);
  }
  return kept.join('\n').trim();
}

/** Lower case, no diacritics, one space between words (lines kept): "Nie  będę!" → "nie bede!". */
export function fold(text: string): string {
  return text
    .toLowerCase()
    .replace(/ł/g, 'l')
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[’`]/g, "'")
    .replace(/[^\S\n]+/g, ' ')
    .trim();
}

export type PlainAnswer = 'yes' | 'no' | 'maybe';

// Longest first within each answer, so "nie bede" is read before "nie". Folded forms only.
const PHRASES: Record<PlainAnswer, string[]> = {
  no: [
    'nie dam rady', 'nie bede', 'nie przyjde', 'nie moge', 'nie bedzie mnie', 'nie wezme udzialu', 'niestety nie', 'nie',
    "i can't make it", 'i cannot make it', "i can't come", "can't make it", 'cannot make it', "can't come", 'cannot come', "won't be there", "i won't", 'i will not', 'not attending', 'decline', 'no',
  ],
  yes: ['tak, bede', 'tak bede', 'bede', 'przyjde', 'wezme udzial', 'potwierdzam', 'tak', "i'll be there", 'i will be there', 'i will attend', 'attending', 'accept', 'yes'],
  maybe: ['moze', 'nie wiem jeszcze', 'jeszcze nie wiem', 'maybe', 'not sure yet', 'not sure', 'perhaps'],
};

const GREETING = /^(dzien dobry|witam|witaj|czesc|szanowni panstwo|szanowna pani|szanowny panie|hello|hi|dear)\b[^\n]*$/;
/** What a greeting line says after its first comma or "!": "dzien dobry, nie dam rady." → "nie dam rady." (may be ''). */
const afterGreeting = (line: string) => (/[,!]/.test(line) ? line.slice(line.search(/[,!]/) + 1).trim() : '');
// "Będę na urlopie", "będę wtedy w delegacji", "będę chora": "będę" here says where the person is, not that they come.
const AWAY = /\b(bede|jestem|i will be|i'll be)\s+(\S+\s+){0,2}(na urlopie|chor|w delegacji|nieobecn|poza|na zwolnieniu|w szpitalu|za granica|na wyjezdzie|on leave|away|ill|sick|out of)/;
// "Nie mogę się doczekać" (I can't wait) is no refusal: read as a neutral word before any phrase is matched.
const neutral = (line: string) => line.replace(/nie moge sie (juz )?doczekac/g, 'czekam');
const CLOSING = /^(pozdrawiam|z powazaniem|dziekuje|dzieki|serdecznie pozdrawiam|best regards|kind regards|regards|thanks|thank you|cheers)\b/;

/**
 * The answer a short reply gives, when it is clear: the first line of the person's own words
 * (after a greeting) begins with one phrase, and nothing in the reply says the opposite. The rest
 * of the reply is returned as `rest` (a reason). Anything else is undefined: a person reads it.
 */
export function plainAnswer(text: string, language?: 'pl' | 'en'): { answer: PlainAnswer; rest: string } | undefined {
  const lines = fold(ownWords(text).replace(/\s*\n\s*/g, '\n')).split('\n').map((l) => neutral(l.trim())).filter(Boolean);
  // A greeting drops only itself: an answer written after it on its line is the answer.
  while (lines.length && GREETING.test(lines[0]!)) {
    const after = afterGreeting(lines[0]!);
    if (after) lines[0] = after;
    else lines.shift();
    if (after) break;
  }
  const closing = lines.findIndex((l) => CLOSING.test(l));
  const words = closing >= 0 ? lines.slice(0, closing) : lines;
  if (words.length === 0 || words.length > 6) return undefined;
  const first = words[0]!;
  const found = (Object.keys(PHRASES) as PlainAnswer[])
    .map((answer) => ({ answer, phrase: PHRASES[answer].find((p) => first === p || (first.startsWith(p) && followedRight(p, first.slice(p.length)))) }))
    .filter((f) => f.phrase !== undefined)
    .sort((a, b) => b.phrase!.length - a.phrase!.length)[0];
  if (!found) return undefined;
  if (words.some((w) => AWAY.test(w))) return undefined;
  const restFolded = [first.slice(found.phrase!.length), ...words.slice(1)].join(' ').replace(/^[\s,.;:!)\-–—]+/, '').trim();
  // "tak, ale nie wiem", "bede, chyba nie": a second answer of another kind makes it unclear.
  // A phrase negated by "nie" ("nie, nie bede") is no contrary yes.
  const contrary = (Object.keys(PHRASES) as PlainAnswer[]).filter((a) => a !== found.answer).some((a) => PHRASES[a].some((p) => new RegExp(`(^|[^a-z'])${p.startsWith('nie') ? '' : "(?<!nie )"}${escape(p)}([^a-z']|$)`).test(restFolded)));
  if (contrary || /\?/.test(first)) return undefined;
  // English "no" followed by more words is Polish "no, jasne" ("yeah, sure") unless the person writes English.
  if (found.phrase === 'no' && restFolded && language !== 'en') return undefined;
  // The reason in the person's own spelling: the same lines of the unfolded text.
  const own = ownWords(text).split('\n').map((l) => l.trim()).filter(Boolean);
  const start = own.findIndex((l) => fold(l) === first);
  // (after a greeting, `first` is only part of its line: the reason then falls back to the folded words)
  const rest = start >= 0 ? [own[start]!.slice(found.phrase!.length), ...own.slice(start + 1, start + words.length)].join(' ').replace(/^[\s,.;:!)\-–—]+/, '').trim() : restFolded;
  return { answer: found.answer, rest: rest.slice(0, 500) };
}

/** A bare "nie", "tak", "no", "yes" must end the clause ("nie wiem" is no answer); a longer phrase may go on with words. */
const followedRight = (phrase: string, after: string) => (SHORT.has(phrase) ? /^\s*[,.;:!)\-–—]/ : /^[\s,.;:!)\-–—]/).test(after);
const SHORT = new Set(['nie', 'tak', 'no', 'yes', 'moze', 'maybe', 'accept', 'decline']);

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
