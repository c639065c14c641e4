import type { Language } from './messages.js';
import { afterPreposition } from './format.js';
import { icu } from './icu.js';

export const changeCommandMessages = {
  pl: {
    title: 'Zmiana terminu spotkania',
    notCoordinator: 'Odwoływać i przenosić spotkania mogą koordynatorzy zespołu i RCPS.',
    whichTeam: (teams: string) => `Proszę podać zespół przed datą, np. „spotkania odwołaj ${teams.split(', ')[0]} 2027-03-09”. Pani/Pana zespoły: ${teams}.`,
    badDate: (text: string) => `Nie rozumiemy daty „${text}”. Proszę podać ją tak: 2027-03-09 albo 9.03.2027.`,
    badNewTime: 'Proszę podać nowy termin z godziną, np. „spotkania przenieś 2027-04-13 2027-04-14 12:00”.',
    notMeetingDay: (date: string) => `${date} nie jest dniem spotkania tego zespołu. Lista spotkań: „spotkania”.`,
    past: (date: string) => `Spotkanie z dnia ${date} już się rozpoczęło lub odbyło; nie można go zmienić.`,
    alreadyCancelled: (when: string) => `Spotkanie (${when}) jest już odwołane; nikogo nie powiadamiamy ponownie.`,
    holidaySkipped: (date: string, holiday: string) => `W dniu ${date} przypada święto (${holiday}), więc spotkanie się nie odbywa; nie ma czego odwoływać.`,
    sameTime: (when: string) => `Spotkanie już jest o tej porze (${when}); nic nie zmieniamy.`,
    newTimePast: (to: string) => `Nowy termin już minął (${to}); proszę podać termin w przyszłości.`,
    clash: (to: string, other: string) => `W tym czasie (${to}) jest już spotkanie tego zespołu (${other}); proszę wybrać inny termin.`,
    cancelled: (when: string, n: number) => `Spotkanie (${when}) zostało odwołane. ${told('pl', n)}`,
    moved: (when: string, to: string, n: number) => `Spotkanie (${when}) przeniesiono ${afterPreposition('na', to)}. ${told('pl', n)}`,
    usage: 'Użycie: „spotkania odwołaj <data>” albo „spotkania przenieś <data> <nowa data> <godzina>”.',
  },
  en: {
    title: 'Meeting change',
    notCoordinator: 'Only team coordinators and RCPS can cancel or move meetings.',
    whichTeam: (teams: string) => `Please name the team before the date, e.g. "meetings cancel ${teams.split(', ')[0]} 2027-03-09". Your teams: ${teams}.`,
    badDate: (text: string) => `We do not understand the date "${text}". Please write it like 2027-03-09 or 9.03.2027.`,
    badNewTime: 'Please give the new date with a time, e.g. "meetings move 2027-04-13 2027-04-14 12:00".',
    notMeetingDay: (date: string) => `${date} is not a meeting day of this team. See "meetings".`,
    past: (date: string) => `The meeting of ${date} has begun or taken place; it cannot be changed.`,
    alreadyCancelled: (when: string) => `The meeting (${when}) is already cancelled; nobody is told again.`,
    holidaySkipped: (date: string, holiday: string) => `${date} is a public holiday (${holiday}), so the meeting does not take place; there is nothing to cancel.`,
    sameTime: (when: string) => `The meeting is already at that time (${when}); nothing changes.`,
    newTimePast: (to: string) => `The new time has passed (${to}); please give a time in the future.`,
    clash: (to: string, other: string) => `At that time (${to}) the team already meets (${other}); please choose another time.`,
    cancelled: (when: string, n: number) => `The meeting (${when}) is cancelled. ${told('en', n)}`,
    moved: (when: string, to: string, n: number) => `The meeting (${when}) is moved to ${to}. ${told('en', n)}`,
    usage: 'Usage: "meetings cancel <date>" or "meetings move <date> <new date> <time>".',
  },
} satisfies Record<Language, Record<string, unknown>>;

/** Who hears of the change; the Polish verb agrees with the numeral ("otrzymają 2 osoby", "otrzyma 5 osób"). */
const told = (language: Language, n: number) =>
  icu(
    language,
    language === 'pl'
      ? '{n, plural, =0 {Nikt z zespołu nie otrzyma powiadomienia.} one {Powiadomienie otrzyma # osoba z zespołu.} few {Powiadomienie otrzymają # osoby z zespołu.} other {Powiadomienie otrzyma # osób z zespołu.}}'
      : '{n, plural, =0 {Nobody in the team will be told.} one {# member of the team will be told.} other {# members of the team will be told.}}',
    { n },
  );
