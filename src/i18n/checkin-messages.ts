import type { Language } from './messages.js';

import { afterPreposition } from './format.js';
import { icu } from './icu.js';

const updates = (language: Language, n: number) =>
  icu(
    language,
    language === 'pl'
      ? '{n, plural, one {# aktualizacja statusu} few {# aktualizacje statusu} other {# aktualizacji statusu}}'
      : '{n, plural, one {# status update} other {# status updates}}',
    { n },
  );

const problems = (language: Language, n: number) =>
  icu(
    language,
    language === 'pl' ? '{n, plural, one {# otwarte zgłoszenie} few {# otwarte zgłoszenia} other {# otwartych zgłoszeń}}' : '{n, plural, one {# open report} other {# open reports}}',
    { n },
  );

/** Check-ins after meetings and the weekly digest for RCPS. */
export const checkinMessages = {
  pl: {
    askTitle: (team: string) => `Jak poszło spotkanie ${team}?`,
    askText: (when: string) => `Prosimy o krótki status dla RCPS po spotkaniu ${afterPreposition('z', when)}: co zrobiono, co dalej, czy coś blokuje pracę. To zajmie pół minuty.`,
    nudgeTitle: (team: string) => `Przypomnienie: status po spotkaniu ${team}`,
    nudgeText: (when: string) => `Nie dostaliśmy jeszcze statusu po spotkaniu ${afterPreposition('z', when)}. To jedyne przypomnienie.`,
    answerLabel: 'Wyślij status',
    digestTitle: (from: string) => `Podsumowanie tygodnia zespołów PZK (${afterPreposition('od', from)})`,
    digestText: (teams: number) => (teams === 0 ? 'Brak zespołów w harmonogramie.' : 'Stan zespołów od ostatniego podsumowania:'),
    updates: (n: number) => updates('pl', n),
    open: (n: number) => problems('pl', n),
    held: (dates: string) => `Spotkania odbyte: ${dates}`,
    cancelled: (dates: string) => `Spotkania odwołane: ${dates}`,
    noMeetings: 'Brak spotkań w tym tygodniu',
    silent: (days: string) => `Brak statusu od ponad miesiąca (ostatni: ${days})`,
    never: 'nigdy',
    latest: (text: string) => `Ostatnio: ${text}`,
  },
  en: {
    askTitle: (team: string) => `How did the ${team} meeting go?`,
    askText: (when: string) => `Please send RCPS a short status after the meeting of ${when}: what was done, what comes next, anything blocking. It takes half a minute.`,
    nudgeTitle: (team: string) => `Reminder: status after the ${team} meeting`,
    nudgeText: (when: string) => `We have not received a status after the meeting of ${when} yet. This is the only reminder.`,
    answerLabel: 'Send a status',
    digestTitle: (from: string) => `Weekly digest of the PZK teams (since ${from})`,
    digestText: (teams: number) => (teams === 0 ? 'There are no teams in the schedule.' : 'How the teams stand since the last digest:'),
    updates: (n: number) => updates('en', n),
    open: (n: number) => problems('en', n),
    held: (dates: string) => `Meetings held: ${dates}`,
    cancelled: (dates: string) => `Meetings cancelled: ${dates}`,
    noMeetings: 'No meetings this week',
    silent: (days: string) => `No status for over a month (last: ${days})`,
    never: 'never',
    latest: (text: string) => `Latest: ${text}`,
  },
} satisfies Record<Language, Record<string, unknown>>;
