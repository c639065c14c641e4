import type { Language } from '../../src/i18n/messages.js';

/** The few words only Slack's own widgets need; everything else comes from the core. */
export const slackTexts: Record<Language, { cancel: string }> = {
  pl: {
    cancel: 'Anuluj',
  },
  en: {
    cancel: 'Cancel',
  },
};
