import type { Language } from './messages.js';
import { genitiveDate } from './format.js';

type Action = 'erase' | 'feed';

/** The confirmation sent to a person's own channel for what their page may not do alone. */
export const confirmationMessages = {
  pl: {
    title: (a: Action) => (a === 'erase' ? 'Potwierdzenie usunięcia danych' : 'Potwierdzenie nowego linku do kalendarza'),
    text: (a: Action, until: string) =>
      `Na stronie „Moje ustawienia” poproszono o ${a === 'erase' ? 'usunięcie Pani/Pana danych z Kooperatora' : 'nowy link do osobistego kalendarza (dotychczasowy przestanie działać)'}. ` +
      `Aby to zrobić, proszę otworzyć poniższy link do ${genitiveDate(until)}. Jeśli to nie Pani/Pan, proszę zignorować tę wiadomość; na stronie ustawień można zakończyć wszystkie swoje linki.`,
    button: (a: Action) => (a === 'erase' ? 'Potwierdzam usunięcie danych' : 'Potwierdzam nowy link'),
  },
  en: {
    title: (a: Action) => (a === 'erase' ? 'Confirm erasing your data' : 'Confirm a new calendar link'),
    text: (a: Action, until: string) =>
      `Someone on your settings page asked to ${a === 'erase' ? 'erase your data from Kooperator' : 'make a new link to your personal calendar (the current one will stop working)'}. ` +
      `To do it, open the link below by ${until}. If it was not you, ignore this message; on your settings page you can end all your links.`,
    button: (a: Action) => (a === 'erase' ? 'I confirm: erase my data' : 'I confirm: new link'),
  },
} satisfies Record<Language, Record<string, unknown>>;
