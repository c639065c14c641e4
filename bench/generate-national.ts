/**
 * Poland at the scale of issue 17 ("a national day"): a team in every gmina and every powiat
 * (2,857: the real counts per voivodeship, about 2,477 gminy and 380 powiaty), 30,000 members,
 * two meetings a month per team on varied weekdays and hours, one RCPS person per voivodeship
 * and an admin. Names are made up from Polish stems and suffixes, plausible, not real places.
 *
 * Deterministic: the same options give the same file. Print one with
 *   npx tsx bench/generate-national.ts mz > /tmp/national-mz.yaml   (or `staff`)
 */
import { pathToFileURL } from 'node:url';
import { pad, prng, writeStaff, writeTeam, type MemberYaml } from './schedule-yaml.js';

export interface Voivodeship {
  code: string;
  name: string;
  gminy: number;
  powiaty: number;
}

/** The 16 voivodeships with their numbers of gminy and powiaty (rounded to the real ones, 2024). */
export const VOIVODESHIPS: Voivodeship[] = [
  { code: 'ds', name: 'dolnośląskie', gminy: 169, powiaty: 30 },
  { code: 'kp', name: 'kujawsko-pomorskie', gminy: 144, powiaty: 23 },
  { code: 'lu', name: 'lubelskie', gminy: 213, powiaty: 24 },
  { code: 'lb', name: 'lubuskie', gminy: 82, powiaty: 14 },
  { code: 'ld', name: 'łódzkie', gminy: 177, powiaty: 24 },
  { code: 'ma', name: 'małopolskie', gminy: 182, powiaty: 22 },
  { code: 'mz', name: 'mazowieckie', gminy: 314, powiaty: 42 },
  { code: 'op', name: 'opolskie', gminy: 71, powiaty: 12 },
  { code: 'pk', name: 'podkarpackie', gminy: 160, powiaty: 25 },
  { code: 'pd', name: 'podlaskie', gminy: 118, powiaty: 17 },
  { code: 'pm', name: 'pomorskie', gminy: 123, powiaty: 20 },
  { code: 'sl', name: 'śląskie', gminy: 167, powiaty: 36 },
  { code: 'sk', name: 'świętokrzyskie', gminy: 102, powiaty: 14 },
  { code: 'wn', name: 'warmińsko-mazurskie', gminy: 116, powiaty: 21 },
  { code: 'wp', name: 'wielkopolskie', gminy: 226, powiaty: 35 },
  { code: 'zp', name: 'zachodniopomorskie', gminy: 113, powiaty: 21 },
];

export interface NationalTeam {
  id: string;
  voivodeship: string;
  area: 'gmina' | 'powiat';
  members: string[];
}

export interface NationalSchedule {
  /** One file per voivodeship and one for the staff: a schedule file may be at most 2 MB. */
  files: { name: string; yaml: string }[];
  teams: NationalTeam[];
  /** Every member's e-mail, in file order (a member of two teams is listed once). */
  members: string[];
  staff: string[];
}

const STEMS = ['Dąbrow', 'Brzez', 'Lipn', 'Kamion', 'Olszyn', 'Grab', 'Jabłon', 'Wol', 'Sokoł', 'Bukow', 'Krzyw', 'Zawad', 'Górn', 'Łęcz', 'Przybor', 'Stawisk', 'Rudn', 'Zabłoc', 'Białobrzeg', 'Czarnoc', 'Wierzb', 'Świerkl', 'Modrzew', 'Radom', 'Cieszyn', 'Głog', 'Mszan', 'Nowogr', 'Suchedn', 'Wyszk'];
const TOWN_ENDINGS = ['a', 'o', 'ów', 'owo', 'ice', 'iec', 'ina', 'no', 'ki', 'ów Wielki', 'a Górna', 'o Małe', 'iany', 'owice'];
const ADJ_ENDINGS = ['ski', 'icki', 'owski', 'ński', 'ecki'];
const FIRST = ['Anna', 'Marta', 'Katarzyna', 'Tomasz', 'Małgorzata', 'Piotr', 'Ewa', 'Michał', 'Agnieszka', 'Łukasz', 'Joanna', 'Krzysztof', 'Barbara', 'Zofia', 'Paweł', 'Grażyna', 'Jerzy', 'Dorota', 'Wojciech', 'Halina'];
const LAST = ['Nowak', 'Grabowska', 'Wiśniewska', 'Zieliński', 'Wójcik', 'Kamiński', 'Lewandowska', 'Dąbrowski', 'Szymańska', 'Woźniak', 'Mazur', 'Kowalczyk', 'Jabłoński', 'Wróbel', 'Pawlak', 'Krawczyk', 'Piątek', 'Sikora', 'Baran', 'Rutkowska'];
const INSTITUTIONS = ['Ośrodek Pomocy Społecznej', 'Powiatowe Centrum Pomocy Rodzinie', 'Sąd Rejonowy – zespół kuratorskiej służby sądowej', 'Komenda Powiatowa Policji', 'Powiatowy Urząd Pracy', 'Szkoła Podstawowa', 'Poradnia Psychologiczno-Pedagogiczna', 'Gminna Komisja Rozwiązywania Problemów Alkoholowych', 'Stowarzyszenie „Razem”', 'Ośrodek Interwencji Kryzysowej'];
const DAYS = ['MO', 'TU', 'WE', 'TH', 'FR'];
/** 2027-01-04 is a Monday: the first of each weekday in that week starts the series. */
const FIRST_DAY: Record<string, string> = { MO: '2027-01-04', TU: '2027-01-05', WE: '2027-01-06', TH: '2027-01-07', FR: '2027-01-08' };

export function generateNational(options: { members?: number; seed?: number } = {}): NationalSchedule {
  const memberTotal = options.members ?? 30_000;
  const random = prng(options.seed ?? 17);
  const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)]!;
  const teams: { id: string; name: string; voivodeship: string; area: 'gmina' | 'powiat' }[] = [];
  for (const v of VOIVODESHIPS) {
    for (let p = 1; p <= v.powiaty; p++) teams.push({ id: `${v.code}-p${pad(p, 3)}`, name: `PZK powiatu ${pick(STEMS).toLowerCase()}${pick(ADJ_ENDINGS)}ego (${v.name})`, voivodeship: v.code, area: 'powiat' });
    for (let g = 1; g <= v.gminy; g++) teams.push({ id: `${v.code}-g${pad(g, 3)}`, name: `PZK gminy ${pick(STEMS)}${pick(TOWN_ENDINGS)} (${v.name})`, voivodeship: v.code, area: 'gmina' });
  }
  const base = Math.floor(memberTotal / teams.length);
  const extra = memberTotal - base * teams.length;
  let out: string[] = [];
  const line = (text: string) => out.push(text);
  const files: { name: string; yaml: string }[] = [];
  const result: NationalTeam[] = [];
  const members: string[] = [];
  const header = (what: string) => {
    line(`# Generated by bench/generate-national.ts (${teams.length} teams in 16 voivodeships, ${memberTotal} members): ${what}.`);
    line('timezone: Europe/Warsaw');
  };
  const flush = (name: string) => {
    files.push({ name, yaml: `${out.join('\n')}\n` });
    out = [];
  };
  teams.forEach((team, i) => {
    if (i === 0 || teams[i - 1]!.voivodeship !== team.voivodeship) {
      if (i > 0) flush(`national-${teams[i - 1]!.voivodeship}.yaml`);
      header(`województwo ${VOIVODESHIPS.find((v) => v.code === team.voivodeship)!.name}`);
      line('teams:');
    }
    const size = base + (i < extra ? 1 : 0);
    // Twice a month: the 1st and 3rd or the 2nd and 4th weekday of its kind, 08:00–15:30.
    const day = DAYS[i % 5]!;
    const weeks = (i >> 3) % 2 === 0 ? `1${day},3${day}` : `2${day},4${day}`;
    const hour = 8 + ((i * 7) % 8);
    const minute = (i >> 2) % 2 ? 30 : 0;
    const people: MemberYaml[] = [];
    for (let m = 1; m <= size; m++) {
      people.push({
        name: `${pick(FIRST)} ${pick(LAST)}`,
        email: `${team.id}.m${pad(m)}@example.org`,
        institution: INSTITUTIONS[(i + m) % INSTITUTIONS.length]!,
        role: m === 1 ? 'coordinator' : 'member',
        // A third say Slack first; Slack reaches them once they have written to the bot.
        channels: m % 3 === 0 ? '[slack, email]' : '[email]',
        language: m % 11 === 0 ? 'en' : 'pl',
      });
    }
    writeTeam(line, {
      id: team.id,
      name: team.name,
      area: team.area,
      meetings: {
        rrule: `FREQ=MONTHLY;BYDAY=${weeks}`,
        starts: `${FIRST_DAY[day]}T${pad(hour)}:${pad(minute)}`,
        duration: i % 2 ? 'PT1H30M' : 'PT2H',
        location: `Urząd, sala ${1 + (i % 12)}, ul. Główna ${1 + (i % 90)}`,
        ...(i % 3 === 0 ? { online: `https://example.org/meet/${team.id}` } : {}),
        reminders: '[P7D, P1D, PT2H]',
        onHoliday: 'shift',
      },
      members: people,
    });
    const emails = people.map((p) => p.email);
    members.push(...emails);
    result.push({ id: team.id, voivodeship: team.voivodeship, area: team.area, members: emails });
  });
  flush(`national-${teams[teams.length - 1]!.voivodeship}.yaml`);
  header('RCPS staff, one per voivodeship, and an admin');
  line('staff:');
  const staff: string[] = [];
  for (const v of VOIVODESHIPS) {
    const email = `rcps.${v.code}@example.org`;
    staff.push(email);
    writeStaff(line, { name: `${pick(FIRST)} ${pick(LAST)} (RCPS, ${v.name})`, email, role: 'rcps', channels: '[email]' });
  }
  staff.push('admin@example.org');
  writeStaff(line, { name: 'Administrator Kooperatora', email: 'admin@example.org', role: 'admin', channels: '[email]' });
  flush('national-staff.yaml');
  return { files, teams: result, members, staff };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const which = process.argv[2] ?? 'mz';
  const file = generateNational().files.find((f) => f.name === `national-${which}.yaml`);
  if (!file) {
    process.stderr.write('usage: tsx bench/generate-national.ts <voivodeship code (ds, kp, … zp) | staff> > file.yaml\n');
    process.exit(2);
  }
  process.stdout.write(file.yaml);
}
