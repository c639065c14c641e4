import type { Language } from './messages.js';
import type { MutableKind } from '../preferences/preferences.js';

const kindNames: Record<Language, Record<MutableKind, string>> = {
  pl: { reminders: 'przypomnienia', notices: 'zmiany terminów', announcements: 'ogłoszenia', invitations: 'zaproszenia' },
  en: { reminders: 'reminders', notices: 'schedule changes', announcements: 'announcements', invitations: 'invitations' },
};

export const settingsMessages = {
  pl: {
    kindName: (k: MutableKind) => kindNames.pl[k],
    title: 'Ustawienia powiadomień',
    summary: (muted: string, channels: string, from: number, to: number) =>
      `Wyciszone rodzaje: ${muted}\nWyłączone kanały: ${channels}\nCisza nocna: ${from}:00–${to}:00 (przypomnienia z tego czasu przychodzą o ${to}:00)`,
    none: 'brak',
    usage:
      'Zmiana: „ustawienia wycisz przypomnienia|zmiany|ogłoszenia|zaproszenia|slack|teams|email”, „ustawienia włącz …”, „ustawienia cisza 21-6”.',
    saved: 'Zapisano. Obowiązuje od razu i nie zmieni się przy aktualizacji harmonogramu.',
    unknownWord: (word: string) => `Nie rozumiemy „${word}”.`,
    lastChannel: 'Nie można wyłączyć wszystkich kanałów: przynajmniej jeden musi pozostać, żeby docierały zmiany terminów.',
    badQuiet: 'Proszę podać ciszę nocną jako dwie pełne godziny, np. „ustawienia cisza 21-6”.',
  },
  en: {
    kindName: (k: MutableKind) => kindNames.en[k],
    title: 'Notification settings',
    summary: (muted: string, channels: string, from: number, to: number) =>
      `Muted kinds: ${muted}\nChannels turned off: ${channels}\nQuiet hours: ${from}:00–${to}:00 (reminders due then arrive at ${to}:00)`,
    none: 'none',
    usage: 'To change: "settings mute reminders|changes|announcements|invitations|slack|teams|email", "settings unmute …", "settings quiet 21-6".',
    saved: 'Saved. It applies at once and survives schedule updates.',
    unknownWord: (word: string) => `We do not understand "${word}".`,
    lastChannel: 'You cannot turn off every channel: at least one must stay so that schedule changes reach you.',
    badQuiet: 'Please give quiet hours as two whole hours, e.g. "settings quiet 21-6".',
  },
} satisfies Record<Language, Record<string, unknown>>;
