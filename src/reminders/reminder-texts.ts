import { afterPreposition } from '../i18n/format.js';
import type { Language } from '../i18n/messages.js';

export const reminderTexts = {
  pl: {
    title: (team: string, inHowLong: string) => `Przypomnienie: spotkanie zespołu ${team} ${inHowLong}`,
    text: (team: string, when: string, where: string) => `Przypominamy o spotkaniu zespołu ${team}: ${when}, ${where}.`,
    whenLabel: 'Kiedy',
    whereLabel: 'Gdzie',
    absenceLabel: 'Nieobecność proszę zgłosić',
    onlineLabel: 'Dołącz online',
    calendarLabel: 'Dodaj do kalendarza',
    cancelledTitle: (team: string, was: string) => `Odwołane: spotkanie zespołu ${team} (${was})`,
    cancelledText: (team: string, was: string) => `Spotkanie zespołu ${team} zaplanowane ${afterPreposition('na', was)} zostało odwołane.`,
    movedTitle: (team: string, was: string) => `Nowy termin: spotkanie zespołu ${team} (poprzednio: ${was})`,
    movedText: (team: string, was: string, now: string, where: string) =>
      `Spotkanie zespołu ${team} zaplanowane ${afterPreposition('na', was)} odbędzie się w nowym terminie: ${now}, ${where}.`,
    restoredTitle: (team: string, now: string) => `Spotkanie jednak się odbędzie: zespół ${team} (${now})`,
    restoredText: (team: string, now: string, where: string) => `Spotkanie zespołu ${team} odbędzie się jednak: ${now}, ${where}.`,
  },
  en: {
    title: (team: string, inHowLong: string) => `Reminder: ${team} team meeting ${inHowLong}`,
    text: (team: string, when: string, where: string) => `A reminder of the ${team} team meeting: ${when}, ${where}.`,
    whenLabel: 'When',
    whereLabel: 'Where',
    absenceLabel: 'If you cannot come, please tell',
    onlineLabel: 'Join online',
    calendarLabel: 'Add to calendar',
    cancelledTitle: (team: string, was: string) => `Cancelled: ${team} team meeting (${was})`,
    cancelledText: (team: string, was: string) => `The ${team} team meeting planned for ${was} has been cancelled.`,
    movedTitle: (team: string, was: string) => `New date: ${team} team meeting (was ${was})`,
    movedText: (team: string, was: string, now: string, where: string) =>
      `The ${team} team meeting planned for ${was} will take place at a new time: ${now}, ${where}.`,
    restoredTitle: (team: string, now: string) => `Taking place after all: ${team} team meeting (${now})`,
    restoredText: (team: string, now: string, where: string) => `The ${team} team meeting will take place after all: ${now}, ${where}.`,
  },
} satisfies Record<Language, Record<string, unknown>>;
