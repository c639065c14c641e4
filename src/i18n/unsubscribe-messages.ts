import type { MutableKind } from '../preferences/preferences.js';
import type { Language } from './messages.js';

/** What the person stops getting, as the object of a sentence ("nie będziemy wysyłać …"). */
const what: Record<Language, Record<MutableKind, string>> = {
  pl: {
    reminders: 'przypomnień o spotkaniach',
    notices: 'powiadomień o zmianach terminów spotkań',
    announcements: 'ogłoszeń',
    invitations: 'zaproszeń na warsztaty i szkolenia',
  },
  en: {
    reminders: 'meeting reminders',
    notices: 'notices of meeting changes',
    announcements: 'announcements',
    invitations: 'invitations to workshops and trainings',
  },
};

/** The pages of GET/POST /unsubscribe/{signedToken}. */
export const unsubscribeMessages = {
  pl: {
    confirmTitle: 'Wypisanie z wiadomości',
    confirm: (kind: MutableKind) => `Czy na pewno nie chce Pani/Pan otrzymywać ${what.pl[kind]}? Pozostałe wiadomości będą przychodzić jak dotąd.`,
    button: 'Tak, wypisz mnie',
    doneTitle: 'Wypisano',
    done: (kind: MutableKind) => `Nie będziemy już wysyłać Pani/Panu ${what.pl[kind]}.`,
    undo: 'Można to zmienić w każdej chwili w ustawieniach powiadomień albo pisząc do bota „ustawienia”.',
    settings: 'Ustawienia powiadomień',
  },
  en: {
    confirmTitle: 'Unsubscribe',
    confirm: (kind: MutableKind) => `Do you really want to stop getting ${what.en[kind]}? Other messages will keep coming as before.`,
    button: 'Yes, unsubscribe me',
    doneTitle: 'Unsubscribed',
    done: (kind: MutableKind) => `We will not send you ${what.en[kind]} any more.`,
    undo: 'You can change this at any time in your notification settings, or by writing "settings" to the bot.',
    settings: 'Notification settings',
  },
} satisfies Record<Language, Record<string, unknown>>;
