import type { Language } from './messages.js';

import { icu } from './icu.js';

/** "1 osoba", "2 osoby", "5 osób". */
const people = (n: number, language: Language) =>
  icu(language, language === 'pl' ? '{n, plural, one {# osoba} few {# osoby} other {# osób}}' : '{n, plural, one {# person} other {# people}}', { n });

const PL_CHARACTERS = '{n, plural, one {# znak} few {# znaki} other {# znaków}}';

/** Announcements: preview, confirmation, the message itself and the delivery report. */
export const announcementMessages = {
  pl: {
    previewTitle: 'Podgląd ogłoszenia',
    previewText: (text: string) => `${text}`,
    recipientsLabel: 'Do',
    countLabel: 'Odbiorcy',
    people: (n: number) => people(n, 'pl'),
    confirmHint: 'Ogłoszenie jeszcze nie wyszło. Proszę potwierdzić przyciskiem lub poleceniem „ogłoszenie potwierdź” (albo „ogłoszenie anuluj”).',
    confirmLabel: 'Wyślij',
    cancelLabel: 'Anuluj',
    sentTitle: 'Ogłoszenie wysłane',
    sentText: (n: number) => icu('pl', 'Ogłoszenie wychodzi do {n, plural, one {# osoby} other {# osób}}. Za kilka minut dostanie Pani/Pan raport doręczenia.', { n }),
    cancelledTitle: 'Ogłoszenie anulowane',
    cancelledText: 'Ogłoszenie nie zostało wysłane.',
    refusedTitle: 'Nie można wysłać ogłoszenia',
    notAllowed: 'Ogłoszenia wysyłają koordynatorzy zespołów i pracownicy RCPS. Jeśli chce Pani/Pan coś ogłosić, prosimy o kontakt z koordynatorem zespołu.',
    empty: 'Ogłoszenie jest puste. Proszę napisać: ogłoszenie <treść>, np. „ogłoszenie Spotkanie przeniesione do sali 5”.',
    tooLong: (max: number, length: number) => `Ogłoszenie jest za długie: ma ${icu('pl', PL_CHARACTERS, { n: length })}, a może mieć najwyżej ${icu('pl', PL_CHARACTERS, { n: max })}. Proszę je skrócić.`,
    chooseTeams: (known: string) => `Proszę wskazać zespoły, np. „ogłoszenie @lodz,lowicz <treść>” albo „ogłoszenie @wszyscy <treść>”. Zespoły: ${known}.`,
    unknownTeams: (teams: string) => `Nie znamy zespołów: ${teams}. Proszę sprawdzić identyfikatory.`,
    notYourTeams: (teams: string) => `Może Pani/Pan ogłaszać tylko w zespołach, które Pani/Pan koordynuje; nie w: ${teams}.`,
    noDraft: 'Nie ma ogłoszenia czekającego na potwierdzenie.',
    alreadySent: 'To ogłoszenie zostało już wysłane albo anulowane; nic się nie zmieniło.',
    title: (author: string, teams: string) => `Ogłoszenie: ${teams} (${author})`,
    reportTitle: 'Raport doręczenia ogłoszenia',
    reportText: (reached: number, total: number) => icu('pl', 'Ogłoszenie dotarło do {reached} z {total, plural, one {# odbiorcy} other {# odbiorców}}.', { reached, total }),
    byChannelLabel: 'Kanały',
    pendingLabel: 'W drodze',
    failedLabel: 'Nie dotarło',
    placeLabel: 'Kanał zespołu',
  },
  en: {
    previewTitle: 'Announcement preview',
    previewText: (text: string) => `${text}`,
    recipientsLabel: 'To',
    countLabel: 'Recipients',
    people: (n: number) => people(n, 'en'),
    confirmHint: 'The announcement has not gone out yet. Please confirm with the button or the command “announce confirm” (or “announce cancel”).',
    confirmLabel: 'Send',
    cancelLabel: 'Cancel',
    sentTitle: 'Announcement sent',
    sentText: (n: number) => `The announcement is going out to ${people(n, 'en')}. You will get a delivery report in a few minutes.`,
    cancelledTitle: 'Announcement cancelled',
    cancelledText: 'The announcement was not sent.',
    refusedTitle: 'The announcement cannot be sent',
    notAllowed: 'Announcements are sent by team coordinators and RCPS staff. Please ask your team coordinator.',
    empty: 'The announcement is empty. Please write: announce <text>, e.g. “announce The meeting moves to room 5”.',
    tooLong: (max: number, length: number) => icu('en', 'The announcement is too long: {length, plural, one {# character} other {# characters}}, at most {max, number}. Please shorten it.', { length, max }),
    chooseTeams: (known: string) => `Please name the teams, e.g. “announce @lodz,lowicz <text>” or “announce @all <text>”. Teams: ${known}.`,
    unknownTeams: (teams: string) => `We do not know these teams: ${teams}. Please check the ids.`,
    notYourTeams: (teams: string) => `You may announce only in the teams you coordinate; not in: ${teams}.`,
    noDraft: 'There is no announcement waiting for confirmation.',
    alreadySent: 'This announcement was already sent or cancelled; nothing changed.',
    title: (author: string, teams: string) => `Announcement: ${teams} (${author})`,
    reportTitle: 'Announcement delivery report',
    reportText: (reached: number, total: number) => icu('en', 'The announcement reached {reached} of {total, plural, one {# recipient} other {# recipients}}.', { reached, total }),
    byChannelLabel: 'Channels',
    pendingLabel: 'Still on the way',
    failedLabel: 'Not delivered',
    placeLabel: 'Team channel',
  },
} satisfies Record<Language, unknown>;
