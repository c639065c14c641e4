import { afterPreposition } from './format.js';
import { icu } from './icu.js';
import type { Language } from './messages.js';

const people = (language: Language, n: number) =>
  icu(language, language === 'pl' ? '{n, plural, one {# osoba} few {# osoby} other {# osób}}' : '{n, plural, one {# person} other {# people}}', { n });

const changes = (language: Language, n: number) =>
  icu(
    language,
    language === 'pl' ? '{n, plural, =0 {bez zmian} one {# zmiana} few {# zmiany} other {# zmian}}' : '{n, plural, =0 {no changes} one {# change} other {# changes}}',
    { n },
  );

/** Who came: the presence list after a meeting, self check-in at RCPS activities, and the refusals. */
export const presenceMessages = {
  pl: {
    confirmLabel: 'Potwierdź obecność',
    formTitle: 'Kto był na spotkaniu?',
    submit: 'Zapisz',
    fieldPresent: 'Obecni (proszę zaznaczyć osoby, które były)',
    fieldPresentPart: (n: number, of: number) => `Obecni, część ${n} z ${of}`,
    instead: (member: string) => `zamiast: ${member}`,
    formLinkText: (when: string) => `Proszę zaznaczyć, kto był na spotkaniu ${afterPreposition('z', when)}. Lista jest wypełniona według odpowiedzi „będę”; zapisujemy tylko to, co Pani/Pan potwierdzi.`,
    askPresence: 'Proszę też potwierdzić, kto był na spotkaniu (lista według odpowiedzi „będę”).',
    savedTitle: 'Obecność zapisana',
    saved: (present: number, n: number, corrected: boolean) =>
      `Obecnych: ${people('pl', present)}; ${changes('pl', n)}.${corrected ? ' Zmieniono wcześniej zapisaną obecność: zapisujemy, kto i kiedy to zrobił.' : ''}`,
    refusedTitle: 'Nie zapisano obecności',
    refusal: {
      no_subject: 'Nie ma takiego spotkania ani zajęć albo się nie odbyły.',
      not_allowed: 'Obecność na spotkaniu zespołu potwierdza jego koordynator(ka) albo RCPS; obecność innych osób może zaznaczyć tylko ta osoba, która prowadzi listę.',
      not_listed: 'Tej osoby nie ma na liście: nie należy do zespołu, nie zastępuje nikogo na tym spotkaniu albo nie była zaproszona.',
      too_early: 'Obecność można zapisać dopiero od rozpoczęcia.',
      too_late: (days: number) => `Minęło ${icu('pl', '{n, plural, one {# dzień} other {# dni}}', { n: days })} od zakończenia: listy obecności nie można już zmienić. W razie potrzeby proszę napisać do RCPS.`,
    },
    unknownPerson: 'Na liście jest osoba, której nie ma na tym spotkaniu; nic nie zapisano. Proszę otworzyć listę jeszcze raz.',
    crossSite: 'Ten formularz można wysłać tylko ze strony Kooperatora; nic nie zapisano.',
    presentWord: 'obecna/obecny',
    absentWord: 'nieobecna/nieobecny',
    myAttendanceTitle: 'Moja obecność',
    myAttendanceNone: 'Nie ma jeszcze zapisanej obecności.',
    meetingOf: (team: string) => `Spotkanie ${team}`,
  },
  en: {
    confirmLabel: 'Confirm who came',
    formTitle: 'Who came to the meeting?',
    submit: 'Save',
    fieldPresent: 'Present (tick the people who came)',
    fieldPresentPart: (n: number, of: number) => `Present, part ${n} of ${of}`,
    instead: (member: string) => `instead of: ${member}`,
    formLinkText: (when: string) => `Please tick who came to the meeting of ${when}. The list is filled in from the "will come" answers; only what you confirm is recorded.`,
    askPresence: 'Please also confirm who came (the list follows the "will come" answers).',
    savedTitle: 'Presence saved',
    saved: (present: number, n: number, corrected: boolean) =>
      `Present: ${people('en', present)}; ${changes('en', n)}.${corrected ? ' Presence recorded before was changed: who did it and when is recorded.' : ''}`,
    refusedTitle: 'Presence not saved',
    refusal: {
      no_subject: 'There is no such meeting or activity, or it did not take place.',
      not_allowed: "A team meeting's presence is confirmed by its coordinator or RCPS; only the person keeping the list can mark others.",
      not_listed: 'This person is not on the list: not a member of the team, not a substitute at this meeting, or not invited.',
      too_early: 'Presence can be recorded only once it has started.',
      too_late: (days: number) => `More than ${icu('en', '{n, plural, one {# day} other {# days}}', { n: days })} have passed since it ended: the list can no longer be changed. Please write to RCPS if needed.`,
    },
    unknownPerson: 'The list names someone who is not on this meeting; nothing was saved. Please open the list again.',
    crossSite: 'This form can only be sent from a Kooperator page; nothing was saved.',
    presentWord: 'present',
    absentWord: 'absent',
    myAttendanceTitle: 'My attendance',
    myAttendanceNone: 'No attendance recorded yet.',
    meetingOf: (team: string) => `${team} meeting`,
  },
} satisfies Record<Language, Record<string, unknown>>;
