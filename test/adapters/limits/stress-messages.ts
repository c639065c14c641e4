import type { Language } from '../../../src/i18n/messages.js';
import type { Action, LinkAction, Message, MessageItem } from '../../../src/ports/channel.port.js';

/**
 * Every kind of message the core sends (src/ports/channel.port.ts, shaped as the code that
 * builds each one: bot commands, outbox renderers, forms), filled with stress data: 60 teams,
 * 500 invitees, 5,000-character texts, long names and links, emoji. Shared by the platform
 * limits test and the render-all benchmark.
 */
const EMOJI = '👩🏽‍💻🇵🇱✅';
const long = (n: number, seed = 'Zażółć gęślą jaźń ') => {
  let out = '';
  for (let i = 0; out.length < n; i++) out += i % 40 === 39 ? `${EMOJI}\n` : `${seed}${i} `;
  return out.slice(0, n);
};
/** One line, no line ends to split at, an emoji every so often. */
const oneLine = (n: number) => long(n).replace(/\n/g, ' ');
const name = (i: number) => `Anna-Maria Wielkopolska-Świętokrzyska ${i} ${EMOJI}`;
const team = (i: number) => `PZK Gmina Wielka Wieś nad Jeziorem Bardzo Długim i Okolice ${i}`;
const institution = (i: number) => `Miejski Ośrodek Pomocy Społecznej w Konstantynowie Łódzkim nr ${i} 🏛️`;
const url = (n: number) => `https://koop.example.org/meet/${'a1b2c3'.repeat(Math.ceil(n / 6)).slice(0, n)}?x=<y>&z="q"`;
const page = 'https://koop.example.org/reports/ABC-123/eyJzIjoiMTIifQ.abcdefghijklmnop';
const answers = (language: Language): Action[] => [
  { id: 'rsvp:accepted', value: 'warsztaty-2027-1', label: language === 'pl' ? 'Wezmę udział' : 'I will attend', style: 'primary' },
  { id: 'rsvp:maybe', value: 'warsztaty-2027-1', label: language === 'pl' ? 'Może' : 'Maybe' },
  { id: 'rsvp:declined', value: 'warsztaty-2027-1', label: language === 'pl' ? 'Nie wezmę udziału' : 'I will not attend', style: 'danger' },
];
const feedLinks = (n: number, online?: string): LinkAction[] => [
  ...(online ? [{ label: 'Dołącz online 🎥', url: online }] : []),
  { label: 'Kalendarz zespołu', url: `https://koop.example.org/calendars/teams/team-${n}.ics` },
];
const counts = 'zaproszeni 500, biorą udział 240, nie biorą 100, może 60, lista oczekujących 50, bez odpowiedzi 50';

/** The RCPS view of answers: one item per activity, lines by team and by institution. */
function answersView(activities: number, invitees: number): MessageItem[] {
  return Array.from({ length: activities }, (_, a) => ({
    title: `Warsztaty kooperacyjne (wyjazdowe) ${a} ${EMOJI}`,
    lines: [
      counts,
      '**Według zespołów**',
      ...Array.from({ length: 60 }, (_, i) => `- ${team(i)}: ${counts}`),
      '**Według instytucji**',
      ...Array.from({ length: Math.min(invitees, 500) / 5 }, (_, i) => `- ${institution(i)}: zaproszeni 5, biorą udział 2`),
    ],
  }));
}

export function stressMessages(language: Language): { kind: string; message: Message }[] {
  const base = { language };
  const kinds: { kind: string; message: Message }[] = [
    { kind: 'help', message: { ...base, title: 'Pomoc', text: Array.from({ length: 30 }, (_, i) => `- **komenda${i}** – ${long(120)}`).join('\n') } },
    {
      kind: 'meetings list, long online link (3,500)',
      message: { ...base, title: 'Najbliższe spotkania', text: 'Najbliższe spotkania Pani zespołów:', items: Array.from({ length: 6 }, (_, i) => ({ title: `Spotkanie zespołu ${team(i)}`, lines: ['wtorek, 12 stycznia 2027, 10:00', long(300)], links: feedLinks(i, url(3500)) })) },
    },
    {
      kind: 'meetings list, online link of 2,900',
      message: { ...base, title: 'Najbliższe spotkania', text: 'Najbliższe spotkania:', items: Array.from({ length: 20 }, (_, i) => ({ title: `Spotkanie zespołu ${team(i)}`, lines: ['wtorek, 12 stycznia 2027, 10:00', 'Sala 12'], links: feedLinks(i, url(2900)) })) },
    },
    { kind: 'my invitations', message: { ...base, title: 'Moje zaproszenia', text: 'Zaproszenia:', items: Array.from({ length: 20 }, (_, i) => ({ title: `Warsztaty ${long(200)} ${i}`, lines: ['10 marca 2027', long(400), 'bez odpowiedzi'], actions: answers(language) })) } },
    { kind: 'RCPS answers, 500 invitees', message: { ...base, title: 'Odpowiedzi na zaproszenia', text: 'Odpowiedzi:', items: answersView(1, 500) } },
    { kind: 'RCPS answers, 60 activities', message: { ...base, title: 'Odpowiedzi na zaproszenia', text: 'Odpowiedzi:', items: answersView(60, 500) } },
    {
      kind: 'new activity form',
      message: {
        ...base,
        title: 'Nowe wydarzenie',
        text: long(500),
        form: {
          id: 'activity:new',
          title: `Nowe wydarzenie ${long(100)}`,
          submitLabel: 'Utwórz wydarzenie i wyślij zaproszenia',
          fields: [
            { id: 'title', label: long(300), kind: 'text', required: true, maxLength: 200 },
            { id: 'description', label: 'Opis', kind: 'textarea', required: false, maxLength: 5000 },
            { id: 'capacity', label: 'Miejsca', kind: 'number', required: false },
            { id: 'kind', label: 'Rodzaj', kind: 'select', required: true, options: Array.from({ length: 6 }, (_, i) => ({ value: `kind-${i}`, label: `${long(100)} ${i}` })) },
            { id: 'team', label: 'Zespół', kind: 'select', required: true, options: Array.from({ length: 60 }, (_, i) => ({ value: `team-${i}`, label: team(i) })) },
          ],
        },
      },
    },
    {
      kind: 'problem report to RCPS',
      message: {
        ...base,
        // The emoji straddles Slack's 150-character header limit.
        title: `${'Zgłoszenie ABC-123 [PILNE] '.padEnd(148, '–')}${EMOJI} ${team(1)}`,
        text: `Nowe zgłoszenie:\n\n${oneLine(5000)}\n\nOdpowiedź: **/pzk zgłoszenie ABC-123**`,
        fields: [
          { label: 'Kategoria', value: 'Inne' },
          { label: 'Pilność', value: 'pilne' },
          { label: 'Zespół', value: team(1) },
          { label: 'Zgłaszający', value: `${name(1)} <anna@example.org>, ${institution(1)} ${long(2100)}` },
          { label: 'Utworzono', value: 'środa, 13 stycznia 2027, 10:00' },
          { label: 'Stan', value: 'nowe' },
        ],
        actions: [
          { id: 'report:ack', value: 'ABC-123', label: 'Przyjmuję', style: 'primary' },
          { id: 'report:resolve', value: 'ABC-123', label: `Rozwiązane ${long(100)}` },
        ],
        links: [{ label: 'Otwórz zgłoszenie', url: page }, { label: url(3100), url: url(3100) }],
        fullView: page,
      },
    },
    { kind: 'report comment', message: { ...base, title: 'Komentarz do zgłoszenia ABC-123', text: `${name(2)} pisze: ${oneLine(5000)}`, links: [{ label: 'Otwórz zgłoszenie', url: page }], fullView: page } },
    { kind: 'report escalation', message: { ...base, title: 'Nikt nie przyjął zgłoszenia ABC-123', text: `Od 2 dni…\n\n${long(5000)}`, fullView: page } },
    { kind: 'checkin', message: { ...base, title: 'Jak poszło spotkanie?', text: long(800), links: [{ label: 'Wypełnij formularz', url: url(400) }] } },
    {
      kind: 'digest, 60 teams',
      message: {
        ...base,
        title: 'Podsumowanie tygodnia od 4 stycznia 2027',
        text: 'Zespoły: 60',
        items: Array.from({ length: 60 }, (_, i) => ({ title: team(i), lines: ['Statusy: 3', `Ostatni: ${long(200)}…`, 'Spotkania: 12 stycznia 2027', `Otwarte zgłoszenia: ${Array.from({ length: 20 }, (_, k) => `ABC-${k}`).join(', ')}`] })),
      },
    },
    {
      kind: 'invitation (chat)',
      message: { ...base, title: `Zaproszenie: ${long(200)}`, text: `Zapraszamy na warsztaty.\n\n${long(5000)}`, fields: [{ label: 'Kiedy', value: '10 marca 2027' }, { label: 'Gdzie', value: long(500) }, { label: 'Online', value: url(2500) }], actions: answers(language) },
    },
    {
      kind: 'invitation (e-mail)',
      message: { ...base, title: 'Zaproszenie', text: `Zapraszamy.\n\n<script>alert(1)</script> ${long(5000)}`, fields: [{ label: 'Online', value: url(200) }], links: [{ label: 'Wezmę udział', url: url(500) }], preferencesUrl: url(100), unsubscribeUrl: url(100) },
    },
    { kind: 'rsvp offer', message: { ...base, title: 'Zwolniło się miejsce', text: long(600), actions: answers(language), replaces: '1234.5678' } },
    { kind: 'activity reminder', message: { ...base, title: 'Za tydzień: warsztaty', text: long(300), fields: [{ label: 'Kiedy', value: '10 marca 2027' }] } },
    { kind: 'meeting reminder', message: { ...base, title: `Przypomnienie: jutro spotkanie ${team(3)}`, text: `Jutro **spotkanie** ${oneLine(2960)} [plan](${url(300)})`, links: feedLinks(3, url(3300)), preferencesUrl: url(100) } },
    { kind: 'meeting change', message: { ...base, title: 'Spotkanie przeniesione', text: `(było wtorek, 12 stycznia)\n${long(400)}`, links: feedLinks(4) } },
    { kind: 'announcement, 5,000 characters', message: { ...base, title: `Ogłoszenie od ${name(5)} dla ${Array.from({ length: 60 }, (_, i) => team(i)).join(', ')}`, text: long(5000) } },
    { kind: 'announcement, 5,000 characters in one line', message: { ...base, title: 'Ogłoszenie', text: oneLine(5000) } },
    {
      kind: 'announcement delivery report, 73 failures',
      message: { ...base, title: 'Raport doręczenia', text: 'Dotarło do 427 z 500 osób.', fields: [{ label: 'Kanały', value: 'slack: 200, teams: 100, email: 127' }], items: [{ title: 'Nie dotarło', lines: Array.from({ length: 73 }, (_, i) => `${name(i)}: ${oneLine(60)} adres odrzucony przez serwer poczty`) }] },
    },
    { kind: 'dead letters', message: { ...base, title: 'Niedoręczone wiadomości', text: 'Ostatnie 20:', items: Array.from({ length: 20 }, (_, i) => ({ title: `${name(i)} <${'x'.repeat(60)}@example.org>`, lines: ['przypomnienie · lodz', long(400), '13 stycznia 2027, 10:00'] })) } },
    { kind: 'settings', message: { ...base, title: 'Ustawienia', text: long(400), actions: Array.from({ length: 30 }, (_, i) => ({ id: `prefs:${i}`, value: String(i), label: `${long(80)} ${i}` })) } },
    { kind: 'my data', message: { ...base, title: 'Moje dane', text: long(300), fields: Array.from({ length: 24 }, (_, i) => ({ label: `Pole ${i}`, value: long(300) })), actions: [{ id: 'erase', value: '1', label: 'Usuń moje dane', style: 'danger' }] } },
    { kind: 'personal link confirmation', message: { ...base, title: 'Potwierdzenie', text: `Proszę potwierdzić: [potwierdzam](${url(200)})` } },
    { kind: 'settings alarm', message: { ...base, title: 'Kanał nie działa', text: `Slack: ${long(300)}` } },
    { kind: 'calendar link', message: { ...base, title: 'Mój kalendarz', text: 'Link:', links: [{ label: 'Subskrybuj', url: url(300) }] } },
    {
      kind: 'home',
      message: { ...base, title: 'Kooperator', text: long(1000), items: [...answersView(1, 50).slice(0, 1), ...Array.from({ length: 40 }, (_, i) => ({ title: `Spotkanie ${team(i)}`, lines: ['12 stycznia'], links: feedLinks(i, url(100)), actions: answers(language) }))] },
    },
  ];
  return kinds;
}
