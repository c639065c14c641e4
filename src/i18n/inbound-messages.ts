import { icu } from './icu.js';

/** Replies by e-mail (src/inbound/): confirmations to the person, forwards to coordinators and RCPS. */
export const inboundMessages = {
  pl: {
    meetingAnswerNames: { yes: 'będzie Pani/Pan', no: 'nie będzie Pani/Pana', maybe: 'może' } as Record<string, string>,
    /** The member's answer told to the coordinator (third person, no gender assumed). */
    forwardAnswerNames: { yes: 'ta osoba będzie na spotkaniu', no: 'tej osoby nie będzie na spotkaniu', maybe: 'ta osoba może będzie na spotkaniu' } as Record<string, string>,
    emptyReply: '(pusta odpowiedź: nad cytatem nie ma żadnych słów)',
    staleInvitationTitle: 'Zaproszenie się zmieniło',
    staleInvitationText: (title: string) => `Dziękujemy za odpowiedź. Zaproszenie na „${title}” zmieniło się od wersji, na którą Pani/Pan odpowiada, więc tej odpowiedzi nie zapisaliśmy. Prosimy odpowiedzieć na aktualne zaproszenie (najnowszą wiadomość).`,
    passedOnTitle: 'Wiadomość przekazana',
    meetingPassedOn: (team: string, date: string, understood: string | undefined) =>
      understood
        ? `Dziękujemy. Z Pani/Pana odpowiedzi rozumiemy, że na spotkaniu zespołu ${team} (${date}) ${understood}. Przekazaliśmy to koordynatorowi zespołu.`
        : `Dziękujemy. Nie umiemy odczytać z Pani/Pana odpowiedzi, czy będzie Pani/Pan na spotkaniu zespołu ${team} (${date}), więc przekazaliśmy ją koordynatorowi zespołu.`,
    activityPassedOn: (title: string) =>
      `Dziękujemy. Nie umiemy odczytać z Pani/Pana odpowiedzi, czy weźmie Pani/Pan udział w „${title}”, więc przekazaliśmy ją do RCPS. Odpowiedzieć można też przyciskiem w zaproszeniu albo słowami „tak”, „nie” lub „może”.`,
    otherPassedOn: 'Dziękujemy. Przekazaliśmy Pani/Pana wiadomość do RCPS.',
    counterTitle: 'Propozycja innego terminu',
    counterText: (title: string) =>
      `Dziękujemy za propozycję innego terminu „${title}”. Terminy wydarzeń ustala RCPS, więc nie możemy ich zmienić na prośbę jednej osoby; termin zostaje bez zmian. Jeśli termin nie pasuje, prosimy odpowiedzieć „nie wezmę udziału” albo napisać do RCPS.`,
    reportCommentTitle: (code: string) => `Komentarz do zgłoszenia ${code}`,
    forwardMeetingTitle: (team: string, date: string) => `Odpowiedź e-mailem: spotkanie ${team}, ${date}`,
    forwardActivityTitle: (title: string) => `Odpowiedź e-mailem: ${title}`,
    forwardOtherTitle: 'Odpowiedź e-mailem do Kooperatora',
    forwardText: (name: string, email: string, understood: string | undefined) =>
      `${name} <${email}> odpowiedział(a) e-mailem${understood ? `; rozumiemy: ${understood}` : '; nie umiemy odczytać odpowiedzi'}. Fragment wiadomości poniżej.`,
    unverifiedTitle: 'Niezweryfikowana wiadomość e-mail',
    unverifiedText: (reason: string) => `Kooperator dostał wiadomość, której nadawcy nie umie potwierdzić (${reason}), więc niczego nie zapisał. Fragment poniżej; załączniki pominięto.`,
    unverifiedReasons: {
      unknown_address: 'nieznany adres odpowiedzi',
      bad_signature: 'adres odpowiedzi nie pasuje do podpisu',
      other_person: 'adres odpowiedzi należy do innej osoby niż nadawca',
      dmarc_failed: 'nadawca nie przeszedł weryfikacji DMARC',
      not_invited: 'nadawca nie jest zaproszony na to wydarzenie',
    } as Record<string, string>,
    fromLabel: 'Od',
    subjectLabel: 'Temat',
    excerptLabel: 'Fragment',
    absenceTitle: 'Czy ustawić nieobecność?',
    absenceText: (from: string, to: string) =>
      `Z automatycznej odpowiedzi Pani/Pana skrzynki wynika, że od ${from} do ${to} będzie Pani/Pan poza biurem. Niczego nie zmieniliśmy. Jeśli chce Pani/Pan, by w tym czasie Kooperator zgłaszał nieobecność na spotkaniach, można ją ustawić poleceniem \`ustawienia\` w czacie albo na swojej stronie osobistej.`,
    excerptMore: (n: number) => icu('pl', '… (pominięto {n, plural, one {# znak} few {# znaki} other {# znaków}})', { n }),
  },
  en: {
    meetingAnswerNames: { yes: 'you will come', no: 'you will not come', maybe: 'maybe' } as Record<string, string>,
    /** The member's answer told to the coordinator (third person). */
    forwardAnswerNames: { yes: 'they will come', no: 'they will not come', maybe: 'they may come' } as Record<string, string>,
    emptyReply: '(empty reply: no words above the quote)',
    staleInvitationTitle: 'The invitation has changed',
    staleInvitationText: (title: string) => `Thank you for your answer. The invitation to "${title}" has changed since the one you answered, so we did not record it. Please answer the current invitation (the latest message).`,
    passedOnTitle: 'Message passed on',
    meetingPassedOn: (team: string, date: string, understood: string | undefined) =>
      understood
        ? `Thank you. From your reply we understand that for the ${team} meeting (${date}) ${understood}. We have passed this on to the team's coordinator.`
        : `Thank you. We could not tell from your reply whether you will come to the ${team} meeting (${date}), so we have passed it on to the team's coordinator.`,
    activityPassedOn: (title: string) =>
      `Thank you. We could not tell from your reply whether you will take part in “${title}”, so we have passed it on to RCPS. You can also answer with the invitation's buttons, or reply “yes”, “no” or “maybe”.`,
    otherPassedOn: 'Thank you. We have passed your message on to RCPS.',
    counterTitle: 'Proposal of another time',
    counterText: (title: string) =>
      `Thank you for proposing another time for “${title}”. RCPS sets the times of its events, so we cannot change them at one person's request; the time stays as it is. If it does not suit you, please answer “no” or write to RCPS.`,
    reportCommentTitle: (code: string) => `Comment on report ${code}`,
    forwardMeetingTitle: (team: string, date: string) => `Reply by e-mail: ${team} meeting, ${date}`,
    forwardActivityTitle: (title: string) => `Reply by e-mail: ${title}`,
    forwardOtherTitle: 'Reply by e-mail to Kooperator',
    forwardText: (name: string, email: string, understood: string | undefined) =>
      `${name} <${email}> replied by e-mail${understood ? `; we understand: ${understood}` : '; we could not read an answer'}. An excerpt follows.`,
    unverifiedTitle: 'Unverified e-mail',
    unverifiedText: (reason: string) => `Kooperator received a mail whose sender it cannot verify (${reason}), so it recorded nothing. An excerpt follows; attachments were left out.`,
    unverifiedReasons: {
      unknown_address: 'an unknown reply address',
      bad_signature: 'the reply address does not match its signature',
      other_person: 'the reply address belongs to someone other than the sender',
      dmarc_failed: 'the sender failed DMARC',
      not_invited: 'the sender is not invited to this event',
    } as Record<string, string>,
    fromLabel: 'From',
    subjectLabel: 'Subject',
    excerptLabel: 'Excerpt',
    absenceTitle: 'Set an absence?',
    absenceText: (from: string, to: string) =>
      `Your mailbox's automatic reply says you will be away from ${from} to ${to}. We changed nothing. If you want Kooperator to report your absence from meetings then, you can set it with the \`settings\` command in chat or on your personal page.`,
    excerptMore: (n: number) => icu('en', '… ({n, plural, one {# character} other {# characters}} left out)', { n }),
  },
};
