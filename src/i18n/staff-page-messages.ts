import type { Language } from './messages.js';

/**
 * The two read-only pages behind signed links: the RCPS answers to invitations
 * (src/invitations/answers-page-routes.ts) and an announcement's delivery report for its author
 * (src/announcements/report-page-routes.ts).
 */
export const staffPageMessages = {
  pl: {
    badLinkTitle: 'Link nie działa',
    expiredTitle: 'Link wygasł',
    notAllowedTitle: 'Brak dostępu',
    answersBadLink: 'Ten link jest nieważny. Aktualny link przyjdzie w odpowiedzi na polecenie „warsztaty” w czacie.',
    answersExpired: 'Link do odpowiedzi na zaproszenia działa 30 dni i ten już wygasł. Nowy przyjdzie w odpowiedzi na polecenie „warsztaty” w czacie.',
    answersNotStaff: 'Ta strona jest dla pracowników RCPS.',
    answersNone: 'Nie ma nadchodzących wydarzeń z zaproszeniami.',
    team: 'Zespół',
    institution: 'Instytucja',
    invited: 'Zaproszeni',
    accepted: 'Wezmą udział',
    declined: 'Nie wezmą udziału',
    maybe: 'Może',
    waiting: 'Lista rezerwowa',
    lapsed: 'Propozycja miejsca wygasła',
    none: 'Bez odpowiedzi',
    reportBadLink: 'Ten link jest nieważny. Proszę otworzyć raport z wiadomości, która go przyniosła.',
    reportExpired: 'Link do raportu o dostarczeniu działa 30 dni i ten już wygasł.',
    reportTitle: (id: number) => `Raport o dostarczeniu ogłoszenia nr ${id}`,
    text: 'Treść ogłoszenia',
    recipient: 'Odbiorca',
    reason: 'Powód',
    allReached: 'Wszystkie wiadomości zostały dostarczone albo są jeszcze w drodze.',
  },
  en: {
    badLinkTitle: 'This link does not work',
    expiredTitle: 'This link has expired',
    notAllowedTitle: 'No access',
    answersBadLink: 'This link is invalid. A current link comes with the answer to "workshops" in the chat.',
    answersExpired: 'A link to the answers works for 30 days and this one has expired. A new one comes with the answer to "workshops" in the chat.',
    answersNotStaff: 'This page is for RCPS staff.',
    answersNone: 'There are no upcoming events with invitations.',
    team: 'Team',
    institution: 'Institution',
    invited: 'Invited',
    accepted: 'Accepted',
    declined: 'Declined',
    maybe: 'Maybe',
    waiting: 'Waiting list',
    lapsed: 'Seat offer lapsed',
    none: 'No answer',
    reportBadLink: 'This link is invalid. Please open the report from the message that brought it.',
    reportExpired: 'A link to a delivery report works for 30 days and this one has expired.',
    reportTitle: (id: number) => `Delivery report of announcement no. ${id}`,
    text: 'The announcement',
    recipient: 'Recipient',
    reason: 'Reason',
    allReached: 'Every message was delivered or is still on the way.',
  },
} satisfies Record<Language, Record<string, unknown>>;

export type StaffPageText = { [K in keyof typeof staffPageMessages.pl]: (typeof staffPageMessages.pl)[K] extends string ? K : never }[keyof typeof staffPageMessages.pl];
