import type { ActivityRow } from '../db/tables.js';

export type Language = 'pl' | 'en';

const kinds: Record<Language, Record<ActivityRow['kind'], string>> = {
  pl: {
    workshop: 'Warsztaty',
    training: 'Szkolenie',
    coaching: 'Coaching',
    conference: 'Konferencja',
    education: 'Spotkanie edukacyjne',
    consultation: 'Spotkanie konsultacyjne',
  },
  en: {
    workshop: 'Workshop',
    training: 'Training',
    coaching: 'Coaching',
    conference: 'Conference',
    education: 'Educational meeting',
    consultation: 'Consultation',
  },
};

/**
 * "Warsztaty: Budżet" — unless the title already opens with its kind ("Spotkanie edukacyjne: RODO"
 * must not read "Spotkanie edukacyjne: Spotkanie edukacyjne: RODO").
 */
function activityTitle(language: Language, kind: ActivityRow['kind'], title: string): string {
  const name = kinds[language][kind];
  return title.toLocaleLowerCase(language).startsWith(name.toLocaleLowerCase(language)) ? title : `${name}: ${title}`;
}

/** Every text a user reads, whole sentences per language: never glued from fragments. */
export const messages = {
  pl: {
    kind: (kind: ActivityRow['kind']) => kinds.pl[kind],
    activityTitle: (kind: ActivityRow['kind'], title: string) => activityTitle('pl', kind, title),
    meetingTitle: (team: string) => `Spotkanie zespołu: ${team}`,
    meetingDescription: 'Spotkanie Partnerskiego Zespołu Kooperacyjnego (PZK).',
    onlineLink: (url: string) => `Link do spotkania online: ${url}`,
    shiftedForHoliday: (holiday: string, date: string) => `Przeniesione z dnia ${date} (${holiday}).`,
    movedFrom: (date: string) => `Przeniesione z dnia ${date}.`,

    calendarAll: 'Kooperator – spotkania PZK i działania RCPS',
    calendarAllDescription: 'Spotkania wszystkich zespołów i otwarte działania RCPS.',
    calendarTeam: (team: string) => `${team} – spotkania i działania`,
    calendarPerson: (name: string) => `Kooperator – kalendarz: ${name}`,
  },
  en: {
    kind: (kind: ActivityRow['kind']) => kinds.en[kind],
    activityTitle: (kind: ActivityRow['kind'], title: string) => activityTitle('en', kind, title),
    meetingTitle: (team: string) => `Team meeting: ${team}`,
    meetingDescription: 'Meeting of the partner cooperation team (PZK).',
    onlineLink: (url: string) => `Online meeting link: ${url}`,
    shiftedForHoliday: (holiday: string, date: string) => `Moved from ${date} (${holiday}).`,
    movedFrom: (date: string) => `Moved from ${date}.`,

    calendarAll: 'Kooperator – PZK meetings and RCPS activities',
    calendarAllDescription: 'Meetings of every team and the public RCPS activities.',
    calendarTeam: (team: string) => `${team} – meetings and activities`,
    calendarPerson: (name: string) => `Kooperator – calendar: ${name}`,
  },
} satisfies Record<Language, Record<string, unknown>>;

export type Messages = (typeof messages)[Language];
