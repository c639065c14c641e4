import { afterPreposition } from './format.js';
import { icu } from './icu.js';
import type { Language } from './messages.js';

/** "1 osoba obecna", "2 osoby obecne", "5 osób obecnych": the adjective agrees with the noun's plural form. */
const present = (language: Language, n: number) =>
  icu(
    language,
    language === 'pl' ? '{n, plural, one {# osoba obecna} few {# osoby obecne} other {# osób obecnych}}' : '{n, plural, one {# person present} other {# people present}}',
    { n },
  );

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
    saved: (count: number, n: number, corrected: boolean) =>
      `${present('pl', count)}; ${changes('pl', n)}.${corrected ? ' Zmieniono wcześniej zapisaną obecność: zapisujemy, kto i kiedy to zrobił.' : ''}`,
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
    presentWord: 'obecność',
    absentWord: 'nieobecność',
    hereTitle: 'Jestem',
    hereUsage: 'Proszę wpisać kod podany na miejscu, np. **jestem KTR-4PX**.',
    hereOk: (title: string, day: string) => `Dziękujemy, zapisaliśmy Pani/Pana obecność: ${title}, ${day}.`,
    hereAgain: (title: string, day: string) => `Obecność na zajęciach „${title}” (${day}) była już zapisana.`,
    hereWrong: 'Nie znamy takiego kodu. Proszę sprawdzić kod na plakacie lub zapytać prowadzących; nic nie zapisano.',
    hereNotInvited: 'Tego kodu nie można użyć: nie ma Pani/Pana na liście osób zaproszonych na te zajęcia; nic nie zapisano. W razie pomyłki proszę zgłosić się do prowadzących.',
    hereTooMany: (minutes: number) => `Za dużo błędnych kodów. Proszę spróbować za ${icu('pl', '{n, plural, one {# minutę} few {# minuty} other {# minut}}', { n: minutes })} albo zgłosić się do prowadzących.`,
    hereCancelled: (title: string) => `Zajęcia „${title}” zostały odwołane; nic nie zapisano.`,
    hereNotNow: (title: string, opens: string, closes: string) => `Kod zajęć „${title}” działa ${afterPreposition('od', opens)} ${afterPreposition('do', closes)}; nic nie zapisano.`,
    myAttendanceTitle: 'Moja obecność',
    myAttendanceNone: 'Nie ma jeszcze zapisanej obecności.',
    myDataLine: (present: number, absent: number) =>
      `Zapisana obecność: ${icu('pl', '{n, plural, one {# spotkanie lub dzień zajęć} few {# spotkania lub dni zajęć} other {# spotkań lub dni zajęć}}', { n: present })}, nieobecność: ${absent} (lista na stronie osobistej).`,
    myAttendanceIntro: 'Obecność na spotkaniach zespołu i zajęciach RCPS, tak jak ją zapisano (potwierdzenie koordynatora, RCPS albo Pani/Pana kod).',
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
    saved: (count: number, n: number, corrected: boolean) =>
      `${present('en', count)}; ${changes('en', n)}.${corrected ? ' Presence recorded before was changed: who did it and when is recorded.' : ''}`,
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
    hereTitle: 'Here',
    hereUsage: 'Please type the code given at the venue, such as **here KTR-4PX**.',
    hereOk: (title: string, day: string) => `Thank you, your presence is recorded: ${title}, ${day}.`,
    hereAgain: (title: string, day: string) => `Your presence at “${title}” (${day}) was already recorded.`,
    hereWrong: 'We do not know this code. Please check the code on the poster or ask the hosts; nothing was recorded.',
    hereNotInvited: 'This code is for an activity you were not invited to; nothing was recorded. If this is a mistake, please ask the hosts.',
    hereTooMany: (minutes: number) => `Too many wrong codes. Please try again in ${icu('en', '{n, plural, one {# minute} other {# minutes}}', { n: minutes })} or ask the hosts.`,
    hereCancelled: (title: string) => `“${title}” was cancelled; nothing was recorded.`,
    hereNotNow: (title: string, opens: string, closes: string) => `The code of “${title}” works from ${opens} to ${closes}; nothing was recorded.`,
    myAttendanceTitle: 'My attendance',
    myAttendanceNone: 'No attendance recorded yet.',
    myDataLine: (present: number, absent: number) =>
      `Attendance recorded: ${icu('en', '{n, plural, one {# meeting or activity day} other {# meetings or activity days}}', { n: present })}, absence: ${absent} (listed on your personal page).`,
    myAttendanceIntro: 'Your attendance at team meetings and RCPS activities, as recorded (confirmed by the coordinator, RCPS, or your own code).',
    meetingOf: (team: string) => `${team} meeting`,
  },
} satisfies Record<Language, Record<string, unknown>>;

/** The RCPS pages of an activity's presence: the poster with the code, the Jestem pages, marking presence by day. */
export const activityPresenceMessages = {
  pl: {
    sectionTitle: 'Obecność na zajęciach',
    posterTitle: (title: string) => `Obecność: ${title}`,
    posterHow: 'Proszę wpisać w czacie Kooperatora (Slack, Teams):',
    posterOr: 'albo zeskanować kod QR telefonem:',
    posterQrLabel: (code: string) => `Kod QR strony „Jestem” dla kodu ${code}`,
    posterWhen: (opens: string, closes: string) => `Kod działa ${afterPreposition('od', opens)} ${afterPreposition('do', closes)}.`,
    posterLink: (day: string) => `Plakat z kodem obecności (${day})`,
    markLink: (day: string) => `Zaznacz obecność (${day})`,
    staffOnly: 'Tę stronę widzą tylko osoby z RCPS.',
    venueTitle: 'Jestem',
    venueText: (title: string) => `Potwierdzenie obecności: ${title}. Proszę podać swój adres e-mail z listy zaproszonych: wyślemy na Pani/Pana pierwszy kanał (Slack, Teams lub e-mail) osobisty link, którym jednym dotknięciem potwierdzi Pani/Pan obecność.`,
    emailLabel: 'Adres e-mail',
    send: 'Wyślij mi link',
    venueSent: 'Jeśli ten adres jest na liście zaproszonych, wysłaliśmy na niego (lub na Slack/Teams) osobisty link. Można też wpisać w czacie „jestem” i kod z plakatu.',
    venueBadEmail: 'Proszę podać adres e-mail, np. anna.nowak@example.org.',
    linkTitle: 'Potwierdzenie obecności',
    linkText: (title: string, day: string) => `Osobisty link do potwierdzenia obecności na zajęciach „${title}” (${day}). Działa tylko w czasie zajęć.`,
    linkNotNow: (title: string, opens: string, closes: string, early: number) =>
      `Obecność na zajęciach „${title}” może Pani/Pan potwierdzić tym linkiem ${afterPreposition('od', opens)} (${icu('pl', '{n, plural, one {# minutę} few {# minuty} other {# minut}}', { n: early })} przed rozpoczęciem) ${afterPreposition('do', closes)}; nic nie zapisano.`,
    linkLabel: 'Jestem',
    hereButton: 'Jestem – potwierdzam obecność',
    markTitle: (title: string, day: string) => `Obecność: ${title}, ${day}`,
    markLegend: 'Obecni (zaznaczone: obecność zapisana)',
    self: 'zgłoszona kodem',
    saved: (count: number, n: number) =>
      `Zapisano: ${present('pl', count)}; ${changes('pl', n)}.`,
    nobodyInvited: 'Nikt nie jest zaproszony na te zajęcia.',
  },
  en: {
    sectionTitle: 'Attendance at activities',
    posterTitle: (title: string) => `Attendance: ${title}`,
    posterHow: 'Please type in the Kooperator chat (Slack, Teams):',
    posterOr: 'or scan the QR code with your phone:',
    posterQrLabel: (code: string) => `QR code of the "Here" page for code ${code}`,
    posterWhen: (opens: string, closes: string) => `The code works from ${opens} to ${closes}.`,
    posterLink: (day: string) => `Poster with the attendance code (${day})`,
    markLink: (day: string) => `Mark attendance (${day})`,
    staffOnly: 'Only RCPS staff can see this page.',
    venueTitle: 'Here',
    venueText: (title: string) => `Checking in: ${title}. Please give your e-mail address from the invitation list: we send a personal link to your first channel (Slack, Teams or e-mail), and one tap on it records your presence.`,
    emailLabel: 'E-mail address',
    send: 'Send me the link',
    venueSent: 'If this address is on the invitation list, we have sent a personal link to it (or to Slack/Teams). You can also type "here" and the poster\'s code in the chat.',
    venueBadEmail: 'Please give an e-mail address, such as anna.nowak@example.org.',
    linkTitle: 'Check in',
    linkText: (title: string, day: string) => `Your personal link to check in at “${title}” (${day}). It works only while the activity runs.`,
    linkNotNow: (title: string, opens: string, closes: string, early: number) => `You can check in at “${title}” with this link from ${opens} (${icu('en', '{n, plural, one {# minute} other {# minutes}}', { n: early })} before it starts) to ${closes}; nothing was recorded.`,
    linkLabel: 'Here',
    hereButton: "I'm here – check me in",
    markTitle: (title: string, day: string) => `Attendance: ${title}, ${day}`,
    markLegend: 'Present (ticked: presence recorded)',
    self: 'checked in with the code',
    saved: (count: number, n: number) => `Saved: ${present('en', count)}; ${changes('en', n)}.`,
    nobodyInvited: 'Nobody is invited to this activity.',
  },
} satisfies Record<Language, Record<string, unknown>>;
