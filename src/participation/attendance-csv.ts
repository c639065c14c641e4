import { toCsv } from '../export/csv.js';
import type { AttendanceList } from './attendance-list.js';

export const PRESENCE_WORDS = { present: 'obecny', absent: 'nieobecny', unknown: 'brak zapisu' } as const;

/**
 * The lista obecności as the project's Excel-Polish CSV (src/export/csv.ts): a row per person per
 * day. The blank version leaves presence empty, as the printed one does.
 */
export function attendanceCsv(list: AttendanceList, options: { blank: boolean } = { blank: false }): string {
  const header = ['lp.', 'imię i nazwisko', 'instytucja', 'zespół', 'wydarzenie', 'rodzaj', 'dzień', 'godziny', 'miejsce', 'obecność', 'odpowiedź', 'zastępstwo za'];
  const rows = list.days.flatMap((day) =>
    list.people.map((p, i) => {
      const present = p.presence.get(day.day);
      const presence = options.blank ? null : present === undefined ? PRESENCE_WORDS.unknown : present ? PRESENCE_WORDS.present : PRESENCE_WORDS.absent;
      return [i + 1, p.name, p.institution, p.team, list.title, list.kindName, day.day, `${day.start.toFormat('HH:mm')}–${day.end.toFormat('HH:mm')}`, list.place, presence, p.answer, p.substituteFor];
    }),
  );
  return toCsv(header, rows);
}
