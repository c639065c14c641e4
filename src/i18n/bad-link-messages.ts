import type { Language } from './messages.js';

/**
 * The page for a personal link that opens nothing. Whose link it was is not known (nor said),
 * so the page speaks both languages, and names a way to a new link on every channel: many
 * people only ever get e-mail and have no chat to type a command into.
 */
export const badLinkMessages = {
  pl: {
    title: (status: 404 | 410) => (status === 410 ? 'Link wygasł' : 'Link nie działa'),
    reason: (status: 404 | 410) =>
      status === 410
        ? 'Ten link do strony „Moje ustawienia” wygasł: taki link działa 30 dni.'
        : 'Ten link do strony „Moje ustawienia” jest niepełny lub nieważny: mógł zostać ucięty przy kopiowaniu albo zakończony.',
    confirmReason: (status: 404 | 410) =>
      status === 410
        ? 'Ten link potwierdzający wygasł: działa godzinę. Prosimy otworzyć stronę „Moje ustawienia” i poprosić o to jeszcze raz.'
        : 'Ten link potwierdzający jest niepełny, został już użyty albo jest nieważny. Prosimy otworzyć stronę „Moje ustawienia” i poprosić o to jeszcze raz.',
    howHeading: 'Jak dostać nowy link',
    email: 'E-mail: na końcu każdego e-maila od Kooperatora (przypomnienia o spotkaniach, zaproszenia) jest aktualny link do tej strony. Prosimy otworzyć najnowszy e-mail i kliknąć link w całości.',
    chat: 'Slack lub Teams: polecenie „ustawienia” (w Slacku „/pzk ustawienia”) daje nowy link od razu.',
    nobody: 'Jeśli nie ma Pani/Pan świeżego e-maila ani dostępu do czatu, prosimy napisać do koordynatora swojego zespołu albo do RCPS.',
  },
  en: {
    title: (status: 404 | 410) => (status === 410 ? 'The link has expired' : 'The link does not work'),
    reason: (status: 404 | 410) =>
      status === 410
        ? 'This link to the "My settings" page has expired: such a link works for 30 days.'
        : 'This link to the "My settings" page is incomplete or no longer valid: it may have been cut off when copied, or ended.',
    confirmReason: (status: 404 | 410) =>
      status === 410
        ? 'This confirmation link has expired: it works for an hour. Please open the "My settings" page and ask again.'
        : 'This confirmation link is incomplete, already used or no longer valid. Please open the "My settings" page and ask again.',
    howHeading: 'How to get a new link',
    email: 'E-mail: every e-mail from Kooperator (meeting reminders, invitations) ends with a current link to this page. Please open the newest one and click the whole link.',
    chat: 'Slack or Teams: the command "settings" (in Slack "/pzk settings") gives a new link at once.',
    nobody: 'If you have no recent e-mail and no chat, please write to your team coordinator or to RCPS.',
  },
} satisfies Record<Language, Record<string, unknown>>;
