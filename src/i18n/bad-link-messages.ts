import type { Language } from './messages.js';

/** Which link did not work: each is sent for its own purpose and a new one comes from its own place. */
export type BadLinkKind = 'me' | 'confirm' | 'rsvp' | 'form' | 'unsubscribe' | 'attendance' | 'certificate';

/**
 * The page for a personal link that opens nothing. Whose link it was is not known (nor said),
 * so the page speaks both languages, and names a way to a new link on every channel: many
 * people only ever get e-mail and have no chat to type a command into.
 */
export const badLinkMessages = {
  pl: {
    title: (status: 404 | 410) => (status === 410 ? 'Link wygasł' : 'Link nie działa'),
    reason: (kind: BadLinkKind, status: 404 | 410): string => {
      switch (kind) {
        case 'me':
          return status === 410
            ? 'Ten link do strony „Moje ustawienia” wygasł: taki link działa 30 dni.'
            : 'Ten link do strony „Moje ustawienia” jest niepełny lub nieważny: mógł zostać ucięty przy kopiowaniu albo zakończony.';
        case 'confirm':
          return status === 410
            ? 'Ten link potwierdzający wygasł: działa godzinę. Prosimy otworzyć stronę „Moje ustawienia” i poprosić o to jeszcze raz.'
            : 'Ten link potwierdzający jest niepełny, został już użyty albo jest nieważny. Prosimy otworzyć stronę „Moje ustawienia” i poprosić o to jeszcze raz.';
        case 'rsvp':
          return status === 410
            ? 'Ten link do odpowiedzi na zaproszenie wygasł.'
            : 'Ten link do odpowiedzi na zaproszenie jest niepełny lub nieważny: mógł zostać ucięty przy kopiowaniu.';
        case 'form':
          return status === 410
            ? 'Ten link do formularza (status lub zgłoszenie problemu) wygasł.'
            : 'Ten link do formularza (status lub zgłoszenie problemu) jest niepełny lub nieważny: mógł zostać ucięty przy kopiowaniu.';
        case 'unsubscribe':
          return status === 410
            ? 'Ten link do wypisania się z wiadomości wygasł.'
            : 'Ten link do wypisania się z wiadomości jest niepełny lub nieważny: mógł zostać ucięty przy kopiowaniu.';
        case 'attendance':
          return status === 410
            ? 'Ten link do listy obecności wygasł: taki link działa 30 dni.'
            : 'Ten link do listy obecności jest niepełny lub nieważny: mógł zostać ucięty przy kopiowaniu.';
        case 'certificate':
          return status === 410
            ? 'Ten link do pobrania zaświadczenia wygasł: taki link działa 30 dni.'
            : 'Ten link do zaświadczenia jest niepełny lub nieważny: mógł zostać ucięty przy kopiowaniu albo zmieniony. Takiego zaświadczenia nie wydaliśmy.';
      }
    },
    howHeading: 'Jak dostać nowy link',
    email: (kind: BadLinkKind): string =>
      kind === 'attendance'
        ? 'E-mail: najnowsze podsumowanie obecności od Kooperatora zawiera aktualne linki do listy obecności. Prosimy otworzyć je i kliknąć link w całości.'
        : kind === 'certificate'
          ? 'E-mail: najnowsza wiadomość z zaświadczeniem zawiera aktualny link. Zaświadczenie sprawdza się linkiem lub kodem QR wydrukowanym na nim.'
          : kind === 'rsvp'
            ? 'E-mail: prosimy otworzyć najnowszy e-mail z zaproszeniem na to spotkanie i kliknąć link w całości.'
            : kind === 'form'
              ? 'E-mail: najnowszy e-mail od Kooperatora z prośbą o status zawiera aktualny link do formularza. Prosimy otworzyć go i kliknąć link w całości.'
              : 'E-mail: na końcu każdego e-maila od Kooperatora (przypomnienia o spotkaniach, zaproszenia) jest aktualny link do strony „Moje ustawienia”. Prosimy otworzyć najnowszy e-mail i kliknąć link w całości.',
    chat: (kind: BadLinkKind): string =>
      kind === 'attendance'
        ? 'Slack lub Teams: polecenie „obecność <data>” (w Slacku „/pzk obecność <data>”) daje nowe linki od razu.'
        : kind === 'certificate'
          ? 'Slack lub Teams: polecenie „zaświadczenie” (w Slacku „/pzk zaświadczenie”) wysyła nowy link.'
          : kind === 'rsvp'
            ? 'Slack lub Teams: prosimy odpowiedzieć przyciskiem w wiadomości z zaproszeniem.'
            : kind === 'form'
              ? 'Slack lub Teams: polecenie „status” lub „problem” (w Slacku „/pzk status”) od razu otwiera formularz.'
              : 'Slack lub Teams: polecenie „ustawienia” (w Slacku „/pzk ustawienia”) daje nowy link od razu.',
    nobody: 'Jeśli nie ma Pani/Pan świeżego e-maila ani dostępu do czatu, prosimy napisać do koordynatora swojego zespołu albo do RCPS.',
  },
  en: {
    title: (status: 404 | 410) => (status === 410 ? 'The link has expired' : 'The link does not work'),
    reason: (kind: BadLinkKind, status: 404 | 410): string => {
      switch (kind) {
        case 'me':
          return status === 410
            ? 'This link to the "My settings" page has expired: such a link works for 30 days.'
            : 'This link to the "My settings" page is incomplete or no longer valid: it may have been cut off when copied, or ended.';
        case 'confirm':
          return status === 410
            ? 'This confirmation link has expired: it works for an hour. Please open the "My settings" page and ask again.'
            : 'This confirmation link is incomplete, already used or no longer valid. Please open the "My settings" page and ask again.';
        case 'rsvp':
          return status === 410 ? 'This link to answer an invitation has expired.' : 'This link to answer an invitation is incomplete or no longer valid: it may have been cut off when copied.';
        case 'form':
          return status === 410
            ? 'This link to a form (status or problem report) has expired.'
            : 'This link to a form (status or problem report) is incomplete or no longer valid: it may have been cut off when copied.';
        case 'unsubscribe':
          return status === 410 ? 'This link to unsubscribe from messages has expired.' : 'This link to unsubscribe from messages is incomplete or no longer valid: it may have been cut off when copied.';
        case 'attendance':
          return status === 410 ? 'This link to an attendance list has expired: such a link works for 30 days.' : 'This link to an attendance list is incomplete or no longer valid: it may have been cut off when copied.';
        case 'certificate':
          return status === 410
            ? 'This link to download a certificate has expired: such a link works for 30 days.'
            : 'This certificate link is incomplete or not valid: it may have been cut off when copied, or altered. We have issued no such certificate.';
      }
    },
    howHeading: 'How to get a new link',
    email: (kind: BadLinkKind): string =>
      kind === 'attendance'
        ? 'E-mail: the newest attendance summary from Kooperator has current links to the list. Please open it and click the whole link.'
        : kind === 'certificate'
          ? 'E-mail: the newest message with your certificate has a current link. A certificate is checked with the link or QR code printed on it.'
          : kind === 'rsvp'
            ? 'E-mail: please open the newest invitation e-mail for this meeting and click the whole link.'
            : kind === 'form'
              ? 'E-mail: the newest e-mail from Kooperator asking for a status has a current link to the form. Please open it and click the whole link.'
              : 'E-mail: every e-mail from Kooperator (meeting reminders, invitations) ends with a current link to the "My settings" page. Please open the newest one and click the whole link.',
    chat: (kind: BadLinkKind): string =>
      kind === 'attendance'
        ? 'Slack or Teams: the command "attendance <date>" (in Slack "/pzk attendance <date>") gives new links at once.'
        : kind === 'certificate'
          ? 'Slack or Teams: the command "certificate" (in Slack "/pzk certificate") sends a new link.'
          : kind === 'rsvp'
            ? 'Slack or Teams: please answer with a button in the invitation message.'
            : kind === 'form'
              ? 'Slack or Teams: the command "status" or "problem" (in Slack "/pzk status") opens the form at once.'
              : 'Slack or Teams: the command "settings" (in Slack "/pzk settings") gives a new link at once.',
    nobody: 'If you have no recent e-mail and no chat, please write to your team coordinator or to RCPS.',
  },
} satisfies Record<Language, Record<string, unknown>>;
