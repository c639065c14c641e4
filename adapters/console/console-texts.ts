import type { Language } from '../../src/i18n/messages.js';

/** The few words only the terminal needs to stand in for buttons and forms; everything else comes from the core. */
export const consoleTexts: Record<
  Language,
  {
    pressHint: string;
    noSuchButton: (typed: string, count: number) => string;
    noButtons: (typed: string) => string;
    formIntro: (title: string) => string;
    required: string;
    optional: string;
    choose: string;
    chooseMany: string;
    current: (value: string) => string;
    cancelled: string;
    again: string;
  }
> = {
  pl: {
    pressHint: 'Aby wybrać przycisk, proszę wpisać jego numer i nacisnąć Enter.',
    noSuchButton: (typed, count) =>
      count === 1 ? `Nie ma przycisku o numerze ${typed}: jest tylko przycisk 1.` : `Nie ma przycisku o numerze ${typed}. Proszę wpisać numer od 1 do ${count}.`,
    noButtons: (typed) => `Ostatnia odpowiedź nie ma przycisków, więc numer ${typed} niczego nie wybiera. Proszę wpisać polecenie, np. „pomoc”.`,
    formIntro: (title) => `Formularz „${title}”: proszę wpisać wartość każdego pola i nacisnąć Enter. Puste pole nieobowiązkowe zostanie pominięte, „anuluj” przerywa.`,
    required: 'wymagane',
    optional: 'nieobowiązkowe',
    choose: 'proszę wpisać numer',
    chooseMany: 'proszę wpisać numery po przecinku, np. 1,3',
    current: (value) => `teraz: ${value}; Enter zostawia`,
    cancelled: 'Formularz anulowano; niczego nie wysłano.',
    again: 'Proszę wpisać to pole jeszcze raz.',
  },
  en: {
    pressHint: 'To press a button, please type its number and press Enter.',
    noSuchButton: (typed, count) => (count === 1 ? `There is no button ${typed}: there is only button 1.` : `There is no button ${typed}. Please type a number from 1 to ${count}.`),
    noButtons: (typed) => `The last answer has no buttons, so ${typed} presses nothing. Please type a command, such as "help".`,
    formIntro: (title) => `Form "${title}": please type each field's value and press Enter. An empty optional field is left out; "cancel" stops.`,
    required: 'required',
    optional: 'optional',
    choose: 'please type a number',
    chooseMany: 'please type numbers separated by commas, e.g. 1,3',
    current: (value) => `now: ${value}; Enter keeps it`,
    cancelled: 'The form was cancelled; nothing was sent.',
    again: 'Please type this field again.',
  },
};
