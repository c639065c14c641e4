import type { Language } from './messages.js';

import { icu } from './icu.js';

/**
 * "Najbliższe spotkanie", "Najbliższe 3 spotkania", "Najbliższych 5 spotkań": the adjective agrees
 * with the numeral too (2-4, 22-24: nominative; 5-21, 25-...: genitive).
 */
const nextMeetings = (language: Language, n: number) =>
  icu(
    language,
    language === 'pl'
      ? '{n, plural, one {Najbliższe spotkanie} few {Najbliższe # spotkania} other {Najbliższych # spotkań}}'
      : '{n, plural, one {The next meeting} other {The next # meetings}}',
    { n },
  );

/** What the bot says, whole sentences per language. */
export const botMessages = {
  pl: {
    helpTitle: 'Co potrafi Kooperator',
    helpText: [
      'Proszę wpisać jedno z poleceń:',
      '- **spotkania** [_zespół_]: najbliższe spotkania Pani/Pana zespołów (RCPS: wszystkich zespołów)',
      '- **spotkania odwołaj** _data_ / **spotkania przenieś** _data nowa-data godzina_: zmiana terminu (koordynatorzy i RCPS)',
      '- **będę** [_data_], **nie będę** [_data_] [_powód_], **zastępstwo** [_data_] _e-mail_: odpowiedź na spotkanie (data np. 12.01, 2027-01-12, jutro; bez daty: najbliższe)',
      '- **obecność** [_data_] [_zespół_]: kto będzie, kto nie, kto nie odpowiedział (koordynatorzy i RCPS)',
      '- **status** _tekst_: krótka informacja o postępach dla RCPS',
      '- **problem** _tekst_: zgłoszenie problemu lub kontroli do RCPS (np. **problem pilny kontrola** _tekst_; samo **problem** otwiera formularz)',
      '- **zgłoszenia**: zgłoszenia, które Pani/Pan widzi; **zgłoszenie** _numer_ _tekst_: komentarz do zgłoszenia; RCPS: **zgłoszenie** _numer_ **przyjmij**|**rozwiąż** [_komentarz_]',
      '- **warsztaty**: zaproszenia na warsztaty i szkolenia',
      '- **zaświadczenie** [_wydarzenie_]: zaświadczenie o udziale w szkoleniu lub warsztatach',
      '- **kalendarz**: osobisty link do kalendarza (**kalendarz nowy** unieważnia stary)',
      '- **ogłoszenie** _tekst_: ogłoszenie dla zespołu (koordynatorzy i RCPS)',
      '- **moje-dane**: jakie dane o Pani/Panu przechowujemy',
      '- **ustawienia**: wyciszenie rodzajów wiadomości lub kanałów, cisza nocna; **ustawienia urlop** _od do_: nieobecność',
      '- **dostarczenia**: wiadomości, których nie udało się dostarczyć (koordynatorzy i RCPS)',
    ].join('\n'),
    unknownPersonTitle: 'Nie znajdujemy Pani/Pana na liście zespołów',
    unknownPerson: (contact: string | undefined) =>
      contact
        ? `Ten adres nie należy do żadnego zespołu PZK obsługiwanego przez Kooperatora. Proszę poprosić koordynatora swojego zespołu lub RCPS (${contact}) o dopisanie do harmonogramu. Nie zapisaliśmy żadnych Pani/Pana danych.`
        : 'Ten adres nie należy do żadnego zespołu PZK obsługiwanego przez Kooperatora. Proszę poprosić koordynatora swojego zespołu lub RCPS o dopisanie do harmonogramu. Nie zapisaliśmy żadnych Pani/Pana danych.',
    unknownCommandTitle: 'Nie rozpoznajemy tego polecenia',
    unknownCommand: (word: string) => `Polecenie „${word}” nie jest nam znane. Lista poleceń: **pomoc**.`,
    meetingsTitle: 'Najbliższe spotkania',
    meetingsSummary: (n: number) => `${nextMeetings('pl', n)} Pani/Pana zespołów:`,
    noMeetings: 'W najbliższych tygodniach nie ma zaplanowanych spotkań Pani/Pana zespołów.',
    meetingsSummaryAll: (n: number) => `${nextMeetings('pl', n)} wszystkich zespołów (jeden zespół: „spotkania <zespół>”):`,
    meetingsSummaryOne: (n: number, team: string) => `${nextMeetings('pl', n)} zespołu ${team}:`,
    noMeetingsAll: 'W najbliższych tygodniach żaden zespół nie ma zaplanowanych spotkań.',
    onlineLabel: 'Dołącz online',
    teamFeedLabel: 'Kalendarz zespołu',
    calendarTitle: 'Osobisty kalendarz',
    calendarText: (url: string) =>
      `Ten link pokazuje spotkania Pani/Pana zespołów i działania, w których potwierdziła Pani / potwierdził Pan udział. Proszę go nie udostępniać: kto ma link, widzi kalendarz.\n${url}`,
    calendarRenewed: (url: string) => `Poprzedni link przestał działać. Nowy link do kalendarza:\n${url}`,
    subscribeLabel: 'Dodaj do kalendarza',
    myDataTitle: 'Pani/Pana dane w Kooperatorze',
    myData: (name: string, email: string, institution: string, teams: string, channels: string) =>
      `Imię i nazwisko: ${name}\nE-mail: ${email}\nInstytucja: ${institution}\nZespoły: ${teams}\nKanały kontaktu: ${channels}`,
    notYetTitle: 'Wkrótce',
    notYet: 'Ta funkcja jeszcze nie działa w tej wersji Kooperatora. Prosimy o kontakt z RCPS inną drogą.',
    errorTitle: 'Przepraszamy',
    error: (id: string) => `Coś poszło nie tak po naszej stronie (błąd ${id}). Prosimy spróbować ponownie za chwilę.`,
  },
  en: {
    helpTitle: 'What Kooperator can do',
    helpText: [
      'Type one of these commands:',
      '- **meetings** [_team_]: the next meetings of your teams (RCPS: of all teams)',
      '- **meetings cancel** _date_ / **meetings move** _date new-date time_: change a meeting (coordinators and RCPS)',
      '- **attending** [_date_], **not-attending** [_date_] [_reason_], **substitute** [_date_] _e-mail_: answer for a meeting (date e.g. 12.01, 2027-01-12, tomorrow; none: the next one)',
      '- **attendance** [_date_] [_team_]: who will come, who will not, who has not answered (coordinators and RCPS)',
      '- **status** _text_: a quick progress update for RCPS',
      '- **problem** _text_: report a problem or an audit to RCPS (e.g. **problem urgent audit** _text_; **problem** alone opens a form)',
      '- **reports**: the reports you may see; **report** _number_ _text_: a comment on a report; RCPS: **report** _number_ **ack**|**resolve** [_comment_]',
      '- **workshops**: invitations to workshops and trainings',
      '- **certificate** [_event_]: a certificate of attendance at a training or workshop',
      '- **calendar**: your personal calendar link (**calendar new** revokes the old one)',
      '- **announce** _text_: an announcement to your team (coordinators and RCPS)',
      '- **my-data**: what we store about you',
      '- **settings**: mute kinds of messages or channels, quiet hours; **settings leave** _from to_: an absence',
      '- **deliveries**: messages that could not be delivered (coordinators and RCPS)',
    ].join('\n'),
    unknownPersonTitle: 'We cannot find you on any team',
    unknownPerson: (contact: string | undefined) =>
      contact
        ? `This address does not belong to any PZK team served by Kooperator. Please ask your team's coordinator or RCPS (${contact}) to add you to the schedule. We have not stored anything about you.`
        : "This address does not belong to any PZK team served by Kooperator. Please ask your team's coordinator or RCPS to add you to the schedule. We have not stored anything about you.",
    unknownCommandTitle: 'We do not know this command',
    unknownCommand: (word: string) => `We do not know the command “${word}”. For the list of commands type **help**.`,
    meetingsTitle: 'Next meetings',
    meetingsSummary: (n: number) => `${nextMeetings('en', n)} of your teams:`,
    noMeetings: 'Your teams have no meetings planned in the coming weeks.',
    meetingsSummaryAll: (n: number) => `${nextMeetings('en', n)} of all teams (one team: "meetings <team>"):`,
    meetingsSummaryOne: (n: number, team: string) => `${nextMeetings('en', n)} of team ${team}:`,
    noMeetingsAll: 'No team has meetings planned in the coming weeks.',
    onlineLabel: 'Join online',
    teamFeedLabel: 'Team calendar',
    calendarTitle: 'Personal calendar',
    calendarText: (url: string) =>
      `This link shows your teams' meetings and the activities you accepted. Please keep it to yourself: anyone with the link sees the calendar.\n${url}`,
    calendarRenewed: (url: string) => `Your previous link no longer works. Your new calendar link:\n${url}`,
    subscribeLabel: 'Add to calendar',
    myDataTitle: 'Your data in Kooperator',
    myData: (name: string, email: string, institution: string, teams: string, channels: string) =>
      `Name: ${name}\nE-mail: ${email}\nInstitution: ${institution}\nTeams: ${teams}\nChannels: ${channels}`,
    notYetTitle: 'Coming soon',
    notYet: 'This feature does not work yet in this version of Kooperator. Please contact RCPS another way.',
    errorTitle: 'Sorry',
    error: (id: string) => `Something went wrong on our side (error ${id}). Please try again in a moment.`,
  },
} satisfies Record<Language, Record<string, unknown>>;

/**
 * The apology for a failure met before we know whom we answer (or in which language): both
 * languages in one message, Polish first.
 */
export const bilingualApology = (id: string) => ({
  language: 'pl' as const,
  title: `${botMessages.pl.errorTitle} / ${botMessages.en.errorTitle}`,
  text: `${botMessages.pl.error(id)}\n\n_${botMessages.en.error(id)}_`,
});

/** The answer to someone on no team: we know nothing of them, their language included. */
export const bilingualStranger = (contact: string | undefined) => ({
  language: 'pl' as const,
  title: `${botMessages.pl.unknownPersonTitle} / ${botMessages.en.unknownPersonTitle}`,
  text: `${botMessages.pl.unknownPerson(contact)}\n\n_${botMessages.en.unknownPerson(contact)}_`,
});
