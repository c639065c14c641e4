import type { Language } from './messages.js';

import { icu, num } from './icu.js';

/** "1 termin", "3 terminy", "5 terminów". */
const itemsCount = (language: Language, n: number) =>
  icu(language, language === 'pl' ? '{n, plural, one {# termin} few {# terminy} other {# terminów}}' : '{n, plural, one {# date} other {# dates}}', { n });

/** How far the page looks ahead (loadUpcoming's default, src/http/schedule/upcoming.ts). */
const WEEKS = 8;

/** "Najbliższy tydzień", "Najbliższe 3 tygodnie", "Najbliższych 8 tygodni": the adjective agrees with the number. */
const nextWeeks = (language: Language, n: number) =>
  icu(
    language,
    language === 'pl'
      ? '{n, plural, one {Najbliższy tydzień} few {Najbliższe # tygodnie} other {Najbliższych # tygodni}}'
      : '{n, plural, one {The next week} other {The next # weeks}}',
    { n },
  );

/** The schedule page (GET /) and its subscribe section: whole sentences per language. */
export const schedulePageMessages = {
  pl: {
    title: 'Harmonogram spotkań PZK i działań RCPS',
    intro: 'Spotkania wszystkich zespołów i otwarte działania RCPS w najbliższych 8 tygodniach.',
    filtersHeading: 'Wybór spotkań',
    teamLabel: 'Zespół',
    kindLabel: 'Rodzaj',
    allTeams: 'Wszystkie zespoły',
    allKinds: 'Wszystkie rodzaje',
    meetingKind: 'Spotkanie PZK',
    show: 'Pokaż',
    listHeading: nextWeeks('pl', WEEKS),
    found: (n: number) => `Znaleziono: ${itemsCount('pl', n)}.`,
    none: 'W wybranym okresie nie ma zaplanowanych spotkań.',
    place: 'Miejsce',
    /** Agrees with the kind's name: spotkanie/warsztaty/szkolenie odwołane, konferencja odwołana, coaching odwołany. */
    cancelled: (kind: string) => (kind === 'conference' ? 'odwołana' : kind === 'coaching' ? 'odwołany' : 'odwołane'),
    online: 'Link do spotkania online',
    onlineFor: (title: string) => `Dołącz online: ${title}`,
    previous: 'Poprzednia strona',
    next: 'Następna strona',
    pageOf: (page: number, pages: number) => `Strona ${num('pl', page)} z ${num('pl', pages)}`,
    subscribeHeading: 'Subskrypcja kalendarza',
    subscribeIntro:
      'Subskrybowany kalendarz sam się aktualizuje: zmiany terminów pojawią się w Pani/Pana kalendarzu bez ponownego dodawania.',
    allFeed: 'Wszystkie spotkania i działania',
    teamFeed: (team: string) => `Kalendarz zespołu: ${team}`,
    allTeamFeeds: 'Kalendarze poszczególnych zespołów',
    webcal: 'Dodaj do kalendarza (Apple, Outlook na komputerze)',
    webcalHelp: 'Otworzy program kalendarza i zapyta o subskrypcję.',
    google: 'Dodaj do Kalendarza Google',
    googleHelp: 'Google odświeża subskrybowane kalendarze co 8–24 godziny, więc zmiany pojawiają się tam z opóźnieniem.',
    outlook: 'Dodaj do Outlooka w przeglądarce',
    outlookHelp: 'Otworzy Outlook w sieci (Microsoft 365) z gotowym adresem; wystarczy potwierdzić „Importuj”.',
    urlLabel: 'Adres kalendarza (https)',
    urlHelp: 'W innych programach wystarczy wybrać „Dodaj kalendarz” → „Z internetu” i wkleić ten adres.',
    copy: 'Kopiuj adres',
    copied: 'Skopiowano adres do schowka.',
    subscribePageTitle: 'Kalendarze zespołów',
    subscribePageIntro: 'Każdy zespół ma własny kalendarz z jego spotkaniami i działaniami otwartymi dla zespołu.',
    backToSchedule: 'Powrót do harmonogramu',
  },
  en: {
    title: 'PZK meetings and RCPS activities',
    intro: 'Meetings of every team and the public RCPS activities in the next 8 weeks.',
    filtersHeading: 'Choose meetings',
    teamLabel: 'Team',
    kindLabel: 'Kind',
    allTeams: 'All teams',
    allKinds: 'All kinds',
    meetingKind: 'PZK meeting',
    show: 'Show',
    listHeading: nextWeeks('en', WEEKS),
    found: (n: number) => `Found: ${itemsCount('en', n)}.`,
    none: 'Nothing is planned in this period.',
    place: 'Place',
    cancelled: (_kind: string) => 'cancelled',
    online: 'Online meeting link',
    onlineFor: (title: string) => `Join online: ${title}`,
    previous: 'Previous page',
    next: 'Next page',
    pageOf: (page: number, pages: number) => `Page ${num('en', page)} of ${num('en', pages)}`,
    subscribeHeading: 'Subscribe to the calendar',
    subscribeIntro: 'A subscribed calendar updates itself: changed dates appear in your calendar without adding it again.',
    allFeed: 'All meetings and activities',
    teamFeed: (team: string) => `Team calendar: ${team}`,
    allTeamFeeds: 'Calendars of each team',
    webcal: 'Add to calendar (Apple, Outlook desktop)',
    webcalHelp: 'Opens your calendar app, which asks you to subscribe.',
    google: 'Add to Google Calendar',
    googleHelp: 'Google refreshes subscribed calendars every 8–24 hours, so changes appear there with a delay.',
    outlook: 'Add to Outlook on the web',
    outlookHelp: 'Opens Outlook on the web (Microsoft 365) with the address filled in; confirm with "Import".',
    urlLabel: 'Calendar address (https)',
    urlHelp: 'In other apps, just choose "Add calendar" → "From the internet" and paste this address.',
    copy: 'Copy address',
    copied: 'The address was copied to the clipboard.',
    subscribePageTitle: 'Team calendars',
    subscribePageIntro: "Each team has its own calendar with its meetings and the activities open to it.",
    backToSchedule: 'Back to the schedule',
  },
} satisfies Record<Language, Record<string, unknown>>;

export type SchedulePageMessages = (typeof schedulePageMessages)[Language];
