import type { Language } from '../../src/i18n/messages.js';

/** The few words only Slack's own widgets need; everything else comes from the core. */
export const slackTexts: Record<Language, { more: (n: number) => string; cancel: string }> = {
  pl: {
    more: (n) => `Nie zmieściło się w tej wiadomości jeszcze: ${n}.`,
    cancel: 'Anuluj',
  },
  en: {
    more: (n) => `${n} more did not fit in this message.`,
    cancel: 'Cancel',
  },
};
