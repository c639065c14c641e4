import type { Language } from './messages.js';

/** The web form behind the signed links of e-mails and the terminal. */
export const formPageMessages = {
  pl: {
    notFoundTitle: 'Link nie działa',
    notFound: 'Ten link jest nieważny albo wygasł. Nowy link otrzyma Pani/Pan, wpisując w czacie „status” lub „problem”, albo z kolejnej wiadomości.',
    errorHeading: 'Proszę poprawić formularz',
    thanksTitle: 'Dziękujemy',
    required: '(wymagane)',
    choose: '— proszę wybrać —',
  },
  en: {
    notFoundTitle: 'This link does not work',
    notFound: 'This link is invalid or has expired. You get a new one by typing "status" or "problem" in the chat, or from the next message.',
    errorHeading: 'Please correct the form',
    thanksTitle: 'Thank you',
    required: '(required)',
    choose: '— please choose —',
  },
} satisfies Record<Language, Record<string, string>>;
