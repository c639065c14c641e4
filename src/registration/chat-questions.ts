import { fold } from '../bot/parse-command.js';
import type { Language } from '../i18n/messages.js';
import { registrationMessages } from '../i18n/registration-messages.js';
import { MAX_OPTIONS, MAX_QUESTIONS, type Question } from './questions.js';

/**
 * The registration questions typed into the `warsztaty nowe` form, one a line:
 *
 *   dieta*: Dieta = zwykła; wegetariańska; wegańska     (a choice; "*" after the id: required)
 *   noclegi: Noclegi += 10/11 marca; 11/12 marca         (several may be chosen)
 *   dostepnosc: Potrzeby dostępności                     (free text)
 *
 * Option ids are the labels folded to a-z, 0-9 and "-" (wegetarianska). The same model as a
 * schedule file's `questions:` (docs/schedule-files.md), without English labels.
 */
export function parseChatQuestions(text: string, language: Language): { ok: true; questions: Question[] } | { ok: false; text: string } {
  const t = registrationMessages[language].chat;
  const questions: Question[] = [];
  const lines = text.split(/\r?\n/);
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (!line) continue;
    const n = i + 1;
    const head = /^([a-z0-9-]+)(\*)?\s*:\s*(.+)$/.exec(line);
    if (!head) return { ok: false, text: t.badLine(n) };
    const [, id, star, rest] = head as unknown as [string, string, string | undefined, string];
    if (questions.some((q) => q.id === id)) return { ok: false, text: t.duplicate(n, id) };
    const eq = rest.indexOf('=');
    const multi = eq > 0 && rest[eq - 1] === '+';
    const cut = multi ? eq - 1 : eq;
    const label = (cut >= 0 ? rest.slice(0, cut) : rest).trim();
    if (!label || label.length > 200) return { ok: false, text: t.badLabel(n) };
    const labels = cut >= 0 ? rest.slice(eq + 1).split(';').map((s) => s.trim()).filter(Boolean) : [];
    if (cut >= 0 && labels.length === 0) return { ok: false, text: t.noOptions(n) };
    if (labels.length > MAX_OPTIONS) return { ok: false, text: t.tooManyOptions(n, MAX_OPTIONS) };
    const options = labels.map((l) => ({ id: fold(l).replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'x', label: l }));
    const same = options.find((o, k) => options.findIndex((p) => p.id === o.id) !== k);
    if (same) return { ok: false, text: t.sameOption(n, same.label) };
    if (options.some((o) => o.label.length > 75)) return { ok: false, text: t.longOption(n) };
    questions.push({ id, kind: cut < 0 ? 'text' : multi ? 'multi-choice' : 'choice', label, required: Boolean(star), options });
  }
  if (questions.length > MAX_QUESTIONS) return { ok: false, text: t.tooMany(MAX_QUESTIONS) };
  return { ok: true, questions };
}
