import type { CommandContext } from '../bot/commands/context.js';
import { readDate } from '../bot/commands/change-meeting.js';
import { participationMessages } from '../i18n/participation-messages.js';
import type { Message } from '../ports/channel.port.js';
import { addAbsence, currentAbsences, removeAbsence } from './absences.js';

/** The words after `ustawienia` that mean absences. */
export const ABSENCE_WORDS = new Set(['urlop', 'nieobecnosc', 'leave', 'absence']);
const REMOVE_WORDS = new Set(['usun', 'remove', 'delete']);

/**
 * `ustawienia urlop` lists the periods; `ustawienia urlop <od> <do>` adds one (meetings in it are
 * answered "nie będę" at once); `ustawienia urlop usuń <od>` removes the one starting that day
 * (and only the answers it made). Dates as `spotkania odwołaj` reads them: 2027-07-01, 1.07.2027.
 */
export async function absenceSettings(ctx: CommandContext, words: string[]): Promise<Message> {
  const { db, person, clock } = ctx;
  const language = person.language;
  const t = participationMessages[language];
  const list = async (prefix?: string): Promise<Message> => {
    const periods = await currentAbsences(db, person.id, clock);
    return { language, title: t.absenceTitle, text: [prefix, t.absenceList(periods.map((p) => `${p.starts_on} – ${p.ends_on}`)), t.absenceUsage].filter(Boolean).join('\n\n') };
  };
  if (words.length === 0) return list();
  if (REMOVE_WORDS.has(words[0]!)) {
    const day = words[1] ? readDate(words[1]) : undefined;
    const period = day ? (await currentAbsences(db, person.id, clock)).find((p) => p.starts_on === day) : undefined;
    if (!period) return list(t.absenceUnknown);
    const removed = await removeAbsence(db, person.id, period.id, clock);
    if (!removed.ok) return list(t.absenceUnknown);
    ctx.changed();
    return list(t.absenceRemoved(removed.startsOn, removed.endsOn, removed.withdrawn));
  }
  const from = readDate(words[0]!);
  const to = words[1] ? readDate(words[1]) : undefined;
  if (!from || !to) return list(t.absenceBad);
  const added = await addAbsence(db, person.id, from, to, clock);
  if (!added.ok) return list(added.code === 'too_long' ? t.absenceTooLong(added.maxDays) : t.absenceBad);
  ctx.changed();
  return list(t.absenceAdded(from, to, added.answered));
}
