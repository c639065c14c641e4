/** The commands of CONTRACT.md, by their Polish names. */
export type CommandName =
  | 'pomoc'
  | 'spotkania'
  | 'status'
  | 'problem'
  | 'warsztaty'
  | 'kalendarz'
  | 'ogloszenie'
  | 'moje-dane'
  | 'ustawienia'
  | 'dostarczenia'
  | 'zgloszenia'
  | 'zgloszenie'
  | 'zaswiadczenie'

  | 'bede'
  | 'nie-bede'
  | 'zastepstwo'
  | 'obecnosc';

const aliases: Record<string, CommandName> = {
  pomoc: 'pomoc',
  help: 'pomoc',
  spotkania: 'spotkania',
  meetings: 'spotkania',
  status: 'status',
  problem: 'problem',
  warsztaty: 'warsztaty',
  workshops: 'warsztaty',
  kalendarz: 'kalendarz',
  calendar: 'kalendarz',
  ogloszenie: 'ogloszenie',
  announce: 'ogloszenie',
  'moje-dane': 'moje-dane',
  'my-data': 'moje-dane',
  ustawienia: 'ustawienia',
  settings: 'ustawienia',
  dostarczenia: 'dostarczenia',
  deliveries: 'dostarczenia',
  zgloszenia: 'zgloszenia',
  reports: 'zgloszenia',
  zgloszenie: 'zgloszenie',
  report: 'zgloszenie',
  zaswiadczenie: 'zaswiadczenie',
  certificate: 'zaswiadczenie',
  bede: 'bede',
  attending: 'bede',
  'nie-bede': 'nie-bede',
  niebede: 'nie-bede',
  'not-attending': 'nie-bede',
  zastepstwo: 'zastepstwo',
  substitute: 'zastepstwo',
  obecnosc: 'obecnosc',
  attendance: 'obecnosc',
};

/** Lower case without Polish diacritics: "Ogłoszenie" and "ogloszenie" are one word. */
export function fold(word: string): string {
  return word
    .toLowerCase()
    .replace(/ł/g, 'l')
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '');
}

/** Own keys only: "constructor" is no command. */
const aliasOf = (word: string): CommandName | undefined => (Object.hasOwn(aliases, word) ? aliases[word] : undefined);

/** "/pzk Spotkania" or a Teams message "help" → the command and the rest of the text. */
export function parseCommand(input: string): { command: CommandName | undefined; word: string; text: string } {
  const trimmed = input.trim().replace(/^\/?pzk\s+/i, '');
  const [word = '', second = ''] = trimmed.split(/\s+/);
  // "nie będę" is two words: read as the one command "nie-bede".
  if (fold(word) === 'nie' && fold(second) === 'bede') {
    return { command: 'nie-bede', word: `${word} ${second}`, text: trimmed.slice(trimmed.indexOf(second) + second.length).trim() };
  }
  const text = trimmed.slice(word.length).trim();
  // Most commands are typed as listed: those skip the Unicode folding.
  const command = aliasOf(word) ?? aliasOf(fold(word));
  return { command: command ?? (word === '' ? 'pomoc' : undefined), word, text };
}
