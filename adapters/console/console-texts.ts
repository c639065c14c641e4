import type { Language } from '../../src/i18n/messages.js';

/** The few words only the terminal needs to stand in for buttons and forms; everything else comes from the core. */
export const consoleTexts: Record<
  Language,
  { pressHint: string; formIntro: (title: string) => string; required: string; optional: string; choose: string; cancelled: string; again: string }
> = {
  pl: {
    pressHint: 'Aby wybrać przycisk, proszę wpisać jego numer i nacisnąć Enter.',
    formIntro: (title) => `Formularz „${title}”: proszę wpisać wartość każdego pola i nacisnąć Enter. Puste pole nieobowiązkowe zostanie pominięte, „anuluj” przerywa.`,
    required: 'wymagane',
    optional: 'nieobowiązkowe',
    choose: 'proszę wpisać numer',
    cancelled: 'Formularz anulowano; niczego nie wysłano.',
    again: 'Proszę wpisać to pole jeszcze raz.',
  },
  en: {
    pressHint: 'To press a button, please type its number and press Enter.',
    formIntro: (title) => `Form "${title}": please type each field's value and press Enter. An empty optional field is left out; "cancel" stops.`,
    required: 'required',
    optional: 'optional',
    choose: 'please type a number',
    cancelled: 'The form was cancelled; nothing was sent.',
    again: 'Please type this field again.',
  },
};
