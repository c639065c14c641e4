import type { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import type { Database } from '../db/tables.js';
import { takesPlace, type Occurrence } from '../domain/occurrences.js';
import { loadTeams } from '../feeds/feed-data.js';
import { messages } from '../i18n/messages.js';
import { activityDays } from '../participation/activity-days.js';
import { coversOccurrence, periodsOverlapping } from '../participation/membership-periods.js';
import { occurrencesIn } from '../reminders/occurrence-window.js';
import { toCsv, type CsvValue } from './csv.js';

const ZONE = 'Europe/Warsaw';
const polish = (at: Date) => DateTime.fromJSDate(new Date(at), { zone: ZONE }).toFormat('yyyy-MM-dd HH:mm');
const ANSWERS: Record<string, string> = { accepted: 'weźmie udział', declined: 'nie weźmie udziału', maybe: 'może', waiting: 'lista rezerwowa' };
const MEETING_ANSWERS: Record<string, string> = { attending: 'będzie', not_attending: 'nie będzie' };
const PRESENCE = { present: 'obecny', absent: 'nieobecny', unknown: 'brak zapisu' } as const;
const collator = new Intl.Collator('pl', { sensitivity: 'base' });

/**
 * The first nine columns are those of the answers-only export that people's spreadsheets read;
 * the rest were added with presence (docs/participation.md, "Proof: lists and certificates").
 */
export const ATTENDANCE_COLUMNS = [
  'wydarzenie', 'tytuł', 'początek', 'imię i nazwisko', 'instytucja', 'zespół', 'odpowiedź', 'data odpowiedzi', 'oferta miejsca',
  'rodzaj', 'dzień', 'godziny', 'liczba godzin', 'obecność', 'zastępstwo za',
];

export interface AttendanceRange {
  from: string;
  to: string;
  now: Date;
  /** Only this team: its meetings, and its members' rows of activities. */
  team?: string;
}

/** An offer whose time ran out is lapsed, whether or not the sweep has recorded it yet. */
function offerState(expires: Date | null, lapsed: Date | null, now: Date): string | null {
  if (expires && new Date(expires).getTime() > now.getTime()) return `do ${polish(expires)}`;
  const at = lapsed ?? expires;
  return at ? `wygasła ${polish(at)}` : null;
}

const hours = (start: DateTime, end: DateTime) => String(Math.round(end.diff(start, 'minutes').minutes / 6) / 10).replace('.', ',');
const presence = (present: boolean | undefined) => (present === undefined ? PRESENCE.unknown : present ? PRESENCE.present : PRESENCE.absent);

/** One event (a meeting occurrence or an activity) with its rows, to be ordered by start. */
interface Block {
  start: number;
  id: string;
  rows: { name: string; day: string; cells: CsvValue[] }[];
}

/**
 * `export attendance --from D --to D [--team T]`: a row per person per meeting occurrence taking
 * place in the range (where it was moved to, not its rule's date) and per activity day in the range (Polish dates, both inclusive): who was expected (members and
 * substitutes of a meeting: members at that occurrence, by membership-periods.ts, invited people of an activity) and anyone whose presence was recorded,
 * with their answer (only ever what the person said; a lapsed seat offer is shown as such, never
 * as a decline) and their presence: obecny, nieobecny, or brak zapisu when nobody recorded it.
 * Multi-day activities get a row per day with that day's hours.
 */
export async function exportAttendance(db: Kysely<Database>, range: AttendanceRange): Promise<string> {
  const from = DateTime.fromISO(range.from, { zone: ZONE }).startOf('day').toJSDate();
  const to = DateTime.fromISO(range.to, { zone: ZONE }).endOf('day').toJSDate();
  // --team: activity rows of the people who were the team's members on that day of the activity
  // (membership-periods.ts), as its meeting rows: not today's members, nor anyone who was a
  // member at some other time in the range (a row would then be in two teams' exports).
  const teamMembers = range.team ? periodsByPerson(await periodsOverlapping(db, [range.team], from, to)) : undefined;
  const blocks = [...(await activityBlocks(db, range, from, to, teamMembers)), ...(await meetingBlocks(db, from, to, range.team))];
  blocks.sort((a, b) => a.start - b.start || a.id.localeCompare(b.id));
  const rows = blocks.flatMap((b) => b.rows.sort((x, y) => x.day.localeCompare(y.day) || collator.compare(x.name, y.name)).map((r) => r.cells));
  return toCsv(ATTENDANCE_COLUMNS, rows);
}

/**
 * Activities running at any time in the range, each with only its days that fall in the range: a
 * workshop of 31 March – 1 April is in March's report with 31 March and in April's with 1 April,
 * never in both with the same day.
 */
async function activityBlocks(db: Kysely<Database>, range: AttendanceRange, from: Date, to: Date, only: Map<number, Period[]> | undefined): Promise<Block[]> {
  const now = range.now;
  const activities = await db.selectFrom('activities').selectAll().where('starts_at', '<=', to).where('ends_at', '>=', from).execute();
  if (activities.length === 0) return [];
  const ids = activities.map((a) => a.id);
  const [invited, marks] = await Promise.all([
    db
      .selectFrom('invitations')
      .leftJoin('rsvps', (j) => j.onRef('rsvps.activity_id', '=', 'invitations.activity_id').onRef('rsvps.person_id', '=', 'invitations.person_id'))
      .select(['invitations.activity_id', 'invitations.person_id', 'rsvps.answer', 'rsvps.answered_at', 'invitations.offer_expires_at', 'invitations.offer_lapsed_at'])
      .where('invitations.activity_id', 'in', ids)
      .execute(),
    db.selectFrom('attendance').select(['ref_id', 'day', 'person_id', 'present']).where('kind', '=', 'activity').where('ref_id', 'in', ids).execute(),
  ]);
  const people = await peopleWithTeams(db, [...invited.map((i) => i.person_id), ...marks.map((m) => m.person_id)]);
  const marked = new Map(marks.map((m) => [`${m.ref_id} ${m.day} ${m.person_id}`, m.present]));
  return activities.flatMap((activity) => {
    const all = activityDays(activity);
    const days = all.filter((d) => d.day >= range.from && d.day <= range.to);
    // An activity with no days in the range (one whose times cannot be read, or only the edge of it) is not in this report.
    if (all.length > 0 && days.length === 0) return [];
    if (all.length === 0 && (activity.starts_at < from || activity.starts_at > to)) return [];
    const invitedHere = invited.filter((i) => i.activity_id === activity.id);
    const walkIns = [...new Set(marks.filter((m) => m.ref_id === activity.id && !invitedHere.some((i) => i.person_id === m.person_id)).map((m) => m.person_id))];
    const who = [...invitedHere, ...walkIns.map((person_id) => ({ person_id, answer: null, answered_at: null, offer_expires_at: null, offer_lapsed_at: null }))];
    // With --team, each person's days on which a period of theirs in the team covers the activity.
    const covered = (person: number, window: { start: DateTime; end: DateTime }) => !only || (only.get(person) ?? []).some((p) => coversOccurrence(p, window));
    const whole = { start: DateTime.fromJSDate(activity.starts_at), end: DateTime.fromJSDate(activity.ends_at) };
    const rows = who
      .filter((i) => (days.length === 0 ? covered(i.person_id, whole) : days.some((d) => covered(i.person_id, d))))
      .flatMap((i) => {
        const person = people.get(i.person_id);
        if (!person) return [];
        const first: CsvValue[] = [
          activity.id, activity.title, activity.starts_local.replace('T', ' '), person.name, person.institution, person.team,
          i.answer ? ANSWERS[i.answer] : 'brak odpowiedzi', i.answered_at ? polish(i.answered_at) : null, offerState(i.offer_expires_at, i.offer_lapsed_at, now),
        ];
        const kind = messages.pl.kind(activity.kind);
        if (days.length === 0) return [{ name: person.name, day: '', cells: [...first, kind, null, null, null, PRESENCE.unknown, null] }];
        return days.filter((d) => covered(i.person_id, d)).map((d) => ({
          name: person.name,
          day: d.day,
          cells: [...first, kind, d.day, `${d.start.toFormat('HH:mm')}–${d.end.toFormat('HH:mm')}`, hours(d.start, d.end), presence(marked.get(`${activity.id} ${d.day} ${i.person_id}`)), null],
        }));
      });
    return [{ start: days[0]?.start.toMillis() ?? activity.starts_at.getTime(), id: activity.id, rows }];
  });
}

async function meetingBlocks(db: Kysely<Database>, from: Date, to: Date, team: string | undefined): Promise<Block[]> {
  const teams = await loadTeams(db, team ? [team] : undefined);
  // occurrencesIn finds meetings moved into the range, but also keeps those moved out of it (it
  // windows by the rule's date): only where a meeting takes place counts, so none is in two months.
  const inRange = (o: Occurrence) => o.start.toMillis() >= from.getTime() && o.start.toMillis() <= to.getTime();
  const occurrences = teams.flatMap((t) => occurrencesIn(t.meetings, from, new Date(to.getTime() + 1)).filter((o) => takesPlace(o) && inRange(o)).map((o) => ({ team: t.team, o })));
  if (occurrences.length === 0) return [];
  const teamIds = [...new Set(occurrences.map((x) => x.team.id))];
  const dates = [...new Set(occurrences.map((x) => x.o.date))];
  const [members, answers, marks] = await Promise.all([
    // From the first occurrence's start to the last one's end: a period matched to none is not read.
    periodsOverlapping(db, teamIds, new Date(Math.min(...occurrences.map((x) => x.o.start.toMillis()))), new Date(Math.max(...occurrences.map((x) => x.o.end.toMillis())))),
    db.selectFrom('meeting_answers').selectAll().where('team_id', 'in', teamIds).where('occurrence_date', 'in', dates).execute(),
    db.selectFrom('attendance').select(['ref_id', 'day', 'person_id', 'present']).where('kind', '=', 'meeting').where('ref_id', 'in', teamIds).where('day', 'in', dates).execute(),
  ]);
  const people = await peopleWithTeams(db, [...members.map((m) => m.person_id), ...answers.flatMap((a) => [a.person_id, a.substitute_person_id ?? a.person_id]), ...marks.map((m) => m.person_id)]);
  const answerOf = new Map(answers.map((a) => [`${a.team_id} ${a.occurrence_date} ${a.person_id}`, a]));
  const periodsOf = new Map<string, typeof members>();
  for (const m of members) {
    const list = periodsOf.get(m.team_id);
    if (list) list.push(m);
    else periodsOf.set(m.team_id, [m]);
  }
  const marked = new Map(marks.map((m) => [`${m.ref_id} ${m.day} ${m.person_id}`, m.present]));
  return occurrences.map(({ team: t, o }) => {
    const key = (person: number) => `${t.id} ${o.date} ${person}`;
    const substitutes = answers.filter((a) => a.team_id === t.id && a.occurrence_date === o.date && a.substitute_person_id !== null);
    const ids = new Set([
      ...(periodsOf.get(t.id) ?? []).filter((m) => coversOccurrence(m, o)).map((m) => m.person_id),
      ...substitutes.map((a) => a.substitute_person_id!),
      ...marks.filter((m) => m.ref_id === t.id && m.day === o.date).map((m) => m.person_id),
    ]);
    const title = messages.pl.meetingTitle(t.name);
    const rows = [...ids].flatMap((id) => {
      const person = people.get(id);
      if (!person) return [];
      const answer = answerOf.get(key(id));
      const replaced = substitutes.find((a) => a.substitute_person_id === id);
      const said = answer ? (answer.substitute_person_id !== null ? `zastępstwo: ${people.get(answer.substitute_person_id)?.name ?? ''}` : MEETING_ANSWERS[answer.answer]) : 'brak odpowiedzi';
      const cells: CsvValue[] = [
        `${t.id}/${o.date}`, title, o.start.toFormat('yyyy-MM-dd HH:mm'), person.name, person.institution, t.name, said, answer ? polish(answer.answered_at) : null, null,
        'Spotkanie PZK', o.start.toISODate(), `${o.start.toFormat('HH:mm')}–${o.end.toFormat('HH:mm')}`, hours(o.start, o.end), presence(marked.get(key(id))),
        replaced ? (people.get(replaced.person_id)?.name ?? null) : null,
      ];
      return [{ name: person.name, day: o.date, cells }];
    });
    return { start: o.start.toMillis(), id: `${t.id}/${o.date}`, rows };
  });
}

type Period = Awaited<ReturnType<typeof periodsOverlapping>>[number];

function periodsByPerson(periods: Period[]): Map<number, Period[]> {
  const byPerson = new Map<number, Period[]>();
  for (const p of periods) byPerson.set(p.person_id, [...(byPerson.get(p.person_id) ?? []), p]);
  return byPerson;
}

/** Name, institution and first team (by name) of each person, as the answers export always showed them. */
async function peopleWithTeams(db: Kysely<Database>, ids: number[]) {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map<number, { name: string; institution: string | null; team: string | null }>();
  const rows = await db
    .selectFrom('people')
    .select((eb) => [
      'people.id',
      'people.name',
      'people.institution',
      eb.selectFrom('memberships').innerJoin('teams', 'teams.id', 'memberships.team_id').select((e) => e.fn.min('teams.name').as('n')).whereRef('memberships.person_id', '=', 'people.id').as('team'),
    ])
    .where('people.id', 'in', unique)
    .execute();
  return new Map(rows.map((r) => [r.id, { name: r.name, institution: r.institution, team: r.team }]));
}
