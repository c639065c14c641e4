import type { Language } from './messages.js';

import { icu } from './icu.js';

/** "1 wiadomość", "2 wiadomości", "5 wiadomości". */
const messagesCount = (language: Language, n: number) =>
  icu(language, language === 'pl' ? '{n, plural, one {# wiadomość} other {# wiadomości}}' : '{n, plural, one {# message} other {# messages}}', { n });

/** "1 odpowiedź", "2 odpowiedzi", "5 odpowiedzi". */
const answersCount = (language: Language, n: number) =>
  icu(language, language === 'pl' ? '{n, plural, one {# odpowiedź} other {# odpowiedzi}}' : '{n, plural, one {# answer} other {# answers}}', { n });

/** `moje-dane`, `moje-dane usuń` and the personal-page link in chat answers. */
export const privacyMessages = {
  pl: {
    personalPageLabel: 'Moje ustawienia i dane (strona)',
    personalPageText: (url: string) => `Ustawienia, kalendarz i dane można też zmienić na stronie (link ważny 30 dni): ${url}`,
    summary: (answers: number, deliveries: number) =>
      `Odpowiedzi na zaproszenia: ${answersCount('pl', answers)}\nWiadomości wysłane przez Kooperatora: ${messagesCount('pl', deliveries)}`,
    exportLabel: 'Pobierz wszystkie moje dane (JSON)',
    eraseHint: 'Usunięcie danych: „moje-dane usuń”.',
    eraseAskTitle: 'Czy na pewno usunąć Pani/Pana dane?',
    eraseAsk:
      'Usuniemy imię i nazwisko, e-mail, instytucję, przynależność do zespołów, połączenia z czatem, ustawienia, odpowiedzi na zaproszenia i treść wysłanych wiadomości; osobisty kalendarz przestanie działać. Zgłoszenia dla RCPS zostaną jako „osoba usunięta”. Tego nie można cofnąć.\n\nAby potwierdzić, proszę nacisnąć przycisk albo wpisać **moje-dane usuń potwierdzam**.',
    eraseButton: 'Usuń moje dane',
    erasedTitle: 'Dane usunięte',
    erased: 'Pani/Pana dane zostały usunięte. Kooperator nie będzie już wysyłać Pani/Panu wiadomości.',
  },
  en: {
    personalPageLabel: 'My settings and data (web page)',
    personalPageText: (url: string) => `You can also change your settings, calendar and data on the web (the link works for 30 days): ${url}`,
    summary: (answers: number, deliveries: number) =>
      `Answers to invitations: ${answersCount('en', answers)}\nMessages Kooperator sent you: ${messagesCount('en', deliveries)}`,
    exportLabel: 'Download all my data (JSON)',
    eraseHint: 'To erase your data: "my-data erase".',
    eraseAskTitle: 'Erase your data?',
    eraseAsk:
      'We will erase your name, e-mail, institution, team memberships, chat links, settings, answers to invitations and the content of messages sent to you; your personal calendar will stop working. Reports to RCPS stay as "deleted person". This cannot be undone.\n\nTo confirm, press the button or type **my-data erase confirm**.',
    eraseButton: 'Erase my data',
    erasedTitle: 'Data erased',
    erased: 'Your data was erased. Kooperator will not send you messages any more.',
  },
} satisfies Record<Language, Record<string, unknown>>;
