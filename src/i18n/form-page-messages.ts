import type { Language } from './messages.js';

/** The web form behind the signed links of e-mails and the terminal. */
export const formPageMessages = {
  pl: {
    errorHeading: 'Proszę poprawić formularz',
    thanksTitle: 'Dziękujemy',
    required: '(wymagane)',
    choose: '— proszę wybrać —',
  },
  en: {
    errorHeading: 'Please correct the form',
    thanksTitle: 'Thank you',
    required: '(required)',
    choose: '— please choose —',
  },
} satisfies Record<Language, Record<string, string>>;
