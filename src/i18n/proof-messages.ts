import { icu } from './icu.js';
import type { Language } from './messages.js';

/**
 * Texts of the proof of participation (docs/participation.md): the lista obecności refused, the
 * zaświadczenie's message, command and verification page, and RCPS's "send to everyone present".
 */
export const proofMessages = {
  pl: {
    listForbiddenTitle: 'Brak dostępu do listy obecności',
    listForbidden:
      'Ten link do listy obecności był wystawiony dla osoby, która nie jest już koordynatorem tego zespołu ani pracownikiem RCPS, więc lista się nie otworzy. Jeśli to pomyłka, prosimy napisać do RCPS.',
    certificateTitle: (title: string) => `Zaświadczenie o udziale: ${title}`,
    certificateText: (number: string, title: string, until: string) =>
      `Przygotowaliśmy zaświadczenie nr ${number} o udziale Pani/Pana w wydarzeniu „${title}”. Link do pobrania (PDF) działa do ${until}; później można poprosić o nowy poleceniem **zaświadczenie**.`,
    certificateButton: 'Pobierz zaświadczenie (PDF)',
    commandTitle: 'Zaświadczenie o udziale',
    commandSent: (number: string, title: string) =>
      `Zaświadczenie nr ${number} („${title}”) jest w drodze: link do pobrania przyjdzie za chwilę w osobnej wiadomości, na Pani/Pana zwykłe kanały.`,
    commandNone:
      'Nie ma jeszcze żadnego szkolenia ani warsztatów z odnotowaną Pani/Pana obecnością, więc nie możemy wystawić zaświadczenia. Jeśli Pani/Pan był(a) obecny(-a), prosimy napisać do RCPS.',
    commandChoose: (count: number) =>
      `${icu('pl', '{n, plural, one {Zaświadczenie możemy wystawić za # wydarzenie} few {Zaświadczenia możemy wystawić za # wydarzenia} many {Zaświadczenia możemy wystawić za # wydarzeń} other {Zaświadczenia możemy wystawić za # wydarzenia}}', { n: count })}. Prosimy napisać, o które chodzi, np. **zaświadczenie <identyfikator>**:`,
    commandUnknown: (asked: string) =>
      `Nie znaleźliśmy szkolenia ani warsztatów „${asked}” z odnotowaną Pani/Pana obecnością. Polecenie **zaświadczenie** bez dodatków pokaże, za które wydarzenia możemy wystawić zaświadczenie.`,
    verifyGenuineTitle: 'Zaświadczenie jest prawdziwe',
    verifyWithdrawnTitle: 'Zaświadczenie nie jest już ważne',
    verifyWithdrawn: (number: string) =>
      `Zaświadczenie nr ${number} zostało wycofane: według listy obecności prowadzonej przez organizatora nie potwierdza już udziału w wydarzeniu (obecność poprawiono albo wydarzenie odwołano).`,
    verifyGenuine: (number: string) => `Zaświadczenie nr ${number} zostało wydane przez Kooperatora (program Kooperacje 3D) i poświadcza:`,
    verifyFields: { name: 'Imię i nazwisko', institution: 'Instytucja', activity: 'Wydarzenie', kind: 'Rodzaj', dates: 'Termin', hours: 'Liczba godzin udziału', place: 'Miejsce', issued: 'Data wydania' },
    sendAllHeading: 'Zaświadczenia o udziale',
    sendAllIntro: 'Szkolenia i warsztaty z odnotowaną obecnością. Przycisk wysyła każdej obecnej osobie jej własny link do zaświadczenia; osoby, które już je dostały w ten sposób, nie dostaną go drugi raz.',
    sendAllButton: (title: string) => `Wyślij zaświadczenia wszystkim obecnym: ${title}`,
    presentCount: (count: number) => icu('pl', '{n, plural, one {# osoba obecna} few {# osoby obecne} many {# osób obecnych} other {# osoby obecnej}}', { n: count }),
    sendAllDoneTitle: 'Zaświadczenia wysłane',
    sendAllDone: (sent: number, title: string) =>
      sent === 0
        ? `Wszystkie obecne osoby dostały już zaświadczenie za „${title}”; nic nie wysłano drugi raz.`
        : `${icu('pl', '{n, plural, one {Wysłaliśmy # zaświadczenie} few {Wysłaliśmy # zaświadczenia} many {Wysłaliśmy # zaświadczeń} other {Wysłaliśmy # zaświadczenia}}', { n: sent })} za „${title}”, każde do jednej osoby.`,
    sendAllNotFound: 'Nie ma takiego szkolenia ani warsztatów z odnotowaną obecnością. Prosimy otworzyć stronę ponownie.',
    sendAllForeign: 'Ten formularz nie został wysłany ze strony Kooperatora, więc nic nie zrobiliśmy.',
    meHeading: 'Zaświadczenia o udziale',
    meIntro: 'Szkolenia i warsztaty z odnotowaną Pani/Pana obecnością. Przycisk wysyła link do zaświadczenia (PDF) na Pani/Pana kanały.',
    meNumber: (number: string) => `zaświadczenie nr ${number}`,
    meButton: 'Wyślij mi zaświadczenie',
    meSent: 'Wysłaliśmy link do zaświadczenia; przyjdzie za chwilę na Pani/Pana kanały.',
    meNotAttended: 'Nie ma takiego szkolenia ani warsztatów z odnotowaną Pani/Pana obecnością.',
  },
  en: {
    listForbiddenTitle: 'No access to the attendance list',
    listForbidden:
      'This attendance list link was made for a person who is no longer a coordinator of this team or RCPS staff, so the list will not open. If this is a mistake, please write to RCPS.',
    certificateTitle: (title: string) => `Certificate of attendance: ${title}`,
    certificateText: (number: string, title: string, until: string) =>
      `Your certificate no. ${number} of attendance at “${title}” is ready. The download link (PDF) works until ${until}; after that, ask for a new one with **certificate**.`,
    certificateButton: 'Download the certificate (PDF)',
    commandTitle: 'Certificate of attendance',
    commandSent: (number: string, title: string) => `Certificate no. ${number} (“${title}”) is on its way: the download link comes in a separate message in a moment, on your usual channels.`,
    commandNone: 'No training or workshop has your attendance recorded yet, so we cannot issue a certificate. If you were there, please write to RCPS.',
    commandChoose: (count: number) =>
      `${icu('en', '{n, plural, one {We can issue a certificate for # event} other {We can issue certificates for # events}}', { n: count })}. Please say which one, e.g. **certificate <id>**:`,
    commandUnknown: (asked: string) => `We found no training or workshop “${asked}” with your attendance recorded. **certificate** alone lists the events we can certify.`,
    verifyGenuineTitle: 'The certificate is genuine',
    verifyWithdrawnTitle: 'The certificate is no longer valid',
    verifyWithdrawn: (number: string) =>
      `Certificate no. ${number} has been withdrawn: the organiser's attendance record no longer confirms participation in the event (the presence was corrected or the event cancelled).`,
    verifyGenuine: (number: string) => `Certificate no. ${number} was issued by Kooperator (programme Kooperacje 3D) and certifies:`,
    verifyFields: { name: 'Name', institution: 'Institution', activity: 'Event', kind: 'Kind', dates: 'Dates', hours: 'Hours attended', place: 'Place', issued: 'Issued on' },
    sendAllHeading: 'Certificates of attendance',
    sendAllIntro: 'Trainings and workshops with attendance recorded. The button sends each person present their own certificate link; people who already got it this way do not get it twice.',
    sendAllButton: (title: string) => `Send certificates to everyone present: ${title}`,
    presentCount: (count: number) => icu('en', '{n, plural, one {# person present} other {# people present}}', { n: count }),
    sendAllDoneTitle: 'Certificates sent',
    sendAllDone: (sent: number, title: string) =>
      sent === 0
        ? `Everyone present already got a certificate for “${title}”; nothing was sent twice.`
        : `${icu('en', '{n, plural, one {We sent # certificate} other {We sent # certificates}}', { n: sent })} for “${title}”, each to one person.`,
    sendAllNotFound: 'There is no such training or workshop with attendance recorded. Please open the page again.',
    sendAllForeign: 'This form was not sent from a Kooperator page, so nothing was done.',
    meHeading: 'Certificates of attendance',
    meIntro: 'Trainings and workshops with your attendance recorded. The button sends a link to the certificate (PDF) to your channels.',
    meNumber: (number: string) => `certificate no. ${number}`,
    meButton: 'Send me the certificate',
    meSent: 'We have sent the link to the certificate; it comes to your channels in a moment.',
    meNotAttended: 'There is no such training or workshop with your attendance recorded.',
  },
} satisfies Record<Language, Record<string, unknown>>;
