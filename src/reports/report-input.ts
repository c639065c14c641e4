import { fold } from '../bot/parse-command.js';
import type { ReportCategory } from '../db/tables.js';
import { graphemeCount } from '../i18n/graphemes.js';
import type { Language } from '../i18n/messages.js';
import { reportMessages } from '../i18n/report-messages.js';

export const MAX_TEXT = 5000;

/** A checked value, or the sentence that tells the person what to fix. */
export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

/** Required free text: trimmed, not empty, at most 5,000 characters. */
export function checkText(text: string | undefined, language: Language): Checked<string> {
  const value = (text ?? '').trim();
  if (!value) return { ok: false, error: reportMessages[language].emptyText };
  const length = graphemeCount(value);
  if (length > MAX_TEXT) return { ok: false, error: reportMessages[language].tooLong(MAX_TEXT, length) };
  return { ok: true, value };
}

/** Optional free text: empty becomes null. */
export function checkOptionalText(text: string | undefined, language: Language): Checked<string | null> {
  if (!text?.trim()) return { ok: true, value: null };
  return checkText(text, language);
}

const categoryWords: Record<string, ReportCategory> = {
  organizacyjny: 'organisational',
  organisational: 'organisational',
  organizational: 'organisational',
  prawny: 'legal',
  legal: 'legal',
  finansowy: 'financial',
  financial: 'financial',
  'dane i sprawozdawczosc': 'data_reporting',
  sprawozdawczosc: 'data_reporting',
  'data and reporting': 'data_reporting',
  'kontrola/audyt': 'audit',
  kontrola: 'audit',
  audyt: 'audit',
  audit: 'audit',
  'inspection/audit': 'audit',
  inspection: 'audit',
  inny: 'other',
  other: 'other',
};

/** A category as typed or chosen (Polish or English word, or the stored code). */
export function parseCategory(word: string): ReportCategory | undefined {
  const key = fold(word.trim());
  if (Object.values(categoryWords).includes(key as ReportCategory)) return key as ReportCategory;
  return categoryWords[key];
}

export function checkCategory(given: string | undefined, language: Language): Checked<ReportCategory> {
  if (!given?.trim()) return { ok: true, value: 'other' };
  const value = parseCategory(given);
  return value ? { ok: true, value } : { ok: false, error: reportMessages[language].badCategory(given) };
}

export function parseUrgency(word: string): 'normal' | 'urgent' | undefined {
  const key = fold(word.trim());
  if (['pilny', 'pilne', 'pilna', 'urgent'].includes(key)) return 'urgent';
  if (['zwykly', 'zwykle', 'zwykla', 'normal'].includes(key)) return 'normal';
  return undefined;
}

export function checkUrgency(given: string | undefined, language: Language): Checked<'normal' | 'urgent'> {
  if (!given?.trim()) return { ok: true, value: 'normal' };
  const value = parseUrgency(given);
  return value ? { ok: true, value } : { ok: false, error: reportMessages[language].badUrgency(given) };
}

export function checkLink(given: string | undefined, language: Language): Checked<string | null> {
  const text = given?.trim();
  if (!text) return { ok: true, value: null };
  try {
    const url = new URL(text);
    if ((url.protocol === 'http:' || url.protocol === 'https:') && text.length <= 2000) return { ok: true, value: url.href };
  } catch {
    // falls through to the polite refusal
  }
  return { ok: false, error: reportMessages[language].badLink };
}

export function checkCount(given: string | undefined, language: Language): Checked<number | null> {
  const text = given?.trim();
  if (!text) return { ok: true, value: null };
  const n = Number(text);
  return /^\d+$/.test(text) && n <= 100_000 ? { ok: true, value: n } : { ok: false, error: reportMessages[language].badNumber };
}

/**
 * "problem pilny kontrola: jutro przychodzi NIK" → urgency and category taken from the
 * leading words, the rest is the description. Without those words: "inny", "zwykły".
 */
export function splitProblemText(text: string): { category?: ReportCategory; urgency?: 'normal' | 'urgent'; description: string } {
  const out: { category?: ReportCategory; urgency?: 'normal' | 'urgent'; description: string } = { description: text.trim() };
  for (let i = 0; i < 2; i++) {
    const match = /^(\S+?)[:,]?(\s+|$)/.exec(out.description);
    if (!match) break;
    const urgency = !out.urgency ? parseUrgency(match[1]!) : undefined;
    const category = !out.category && !urgency ? parseCategory(match[1]!) : undefined;
    if (!urgency && !category) break;
    if (urgency) out.urgency = urgency;
    if (category) out.category = category;
    out.description = out.description.slice(match[0].length).trim();
  }
  return out;
}
