import type { Kysely } from 'kysely';
import type { DateTime } from 'luxon';
import type { ActivityRow, Database } from '../db/tables.js';
import { occurrenceOn, takesPlace } from '../domain/occurrences.js';
import { loadTeams } from '../feeds/feed-data.js';
import { messages } from '../i18n/messages.js';
import { activityDays } from './activity-days.js';
import type { AttendanceSubject } from './attendance-links.js';
import { membersAt } from './membership-periods.js';

/** One person on a lista obecności. */
export interface ListPerson {
  personId: number;
  name: string;
  institution: string | null;
  /** The team they belong to (the first by name), for the activity lists and the CSV. */
  team: string | null;
  /** What they said beforehand, in Polish words (the lists are the funder's documents): null when nothing. */
  answer: string | null;
  /** For a substitute: whom they come instead of. */
  substituteFor: string | null;
  /** Per listed day: true present, false absent; a day not in the map has no record. */
  presence: Map<string, boolean>;
}

/** Everything a lista obecności (PDF or CSV) prints, for one meeting occurrence or one activity (one day or all). */
export interface AttendanceList {
  subject: AttendanceSubject;
  /** "Spotkanie PZK", "Warsztaty", "Szkolenie"… */
  kindName: string;
  activityKind: ActivityRow['kind'] | null;
  title: string;
  teamName: string | null;
  place: string | null;
  /** One for a meeting; each day of the activity (or the one asked for). */
  days: { day: string; start: DateTime; end: DateTime }[];
  people: ListPerson[];
}

const collator = new Intl.Collator('pl', { sensitivity: 'base' });
const MEETING_ANSWERS = { attending: 'będzie', not_attending: 'nie będzie' } as const;
const RSVP_ANSWERS = { accepted: 'weźmie udział', declined: 'nie weźmie udziału', maybe: 'może', waiting: 'lista rezerwowa' } as const;

/**
 * The list for a subject, or undefined when there is none (an unknown team or activity, a date
 * that is no occurrence of the team's meetings, a day outside the activity). Who is on it: for a
 * meeting the team's members at that occurrence (membersAt: someone who left and came back is
 * not on the list of a meeting in between) and the substitutes named for it; for an activity the
 * people who accepted; on both, anyone whose presence was recorded (a member since removed, a
 * walk-in RCPS marked), so the list never hides a recorded presence.
 */
export async function loadAttendanceList(db: Kysely<Database>, subject: AttendanceSubject): Promise<AttendanceList | undefined> {
  return subject.kind === 'meeting' ? meetingList(db, subject) : activityList(db, subject);
}

async function meetingList(db: Kysely<Database>, subject: AttendanceSubject): Promise<AttendanceList | undefined> {
  if (!subject.day) return undefined;
  const [loaded] = await loadTeams(db, [subject.refId]);
  const occurrence = loaded && occurrenceOn(loaded.meetings, subject.day);
  if (!loaded || !occurrence || !takesPlace(occurrence)) return undefined;
  const day = subject.day;
  const [members, answers, marks] = await Promise.all([
    membersAt(db, subject.refId, occurrence).select('memberships.person_id').execute(),
    db.selectFrom('meeting_answers').selectAll().where('team_id', '=', subject.refId).where('occurrence_date', '=', day).execute(),
    db.selectFrom('attendance').select(['person_id', 'present']).where('kind', '=', 'meeting').where('ref_id', '=', subject.refId).where('day', '=', day).execute(),
  ]);
  const ids = new Set<number>([...members.map((m) => m.person_id), ...marks.map((m) => m.person_id)]);
  for (const a of answers) if (a.substitute_person_id !== null) ids.add(a.substitute_person_id);
  const people = await peopleById(db, [...ids]);
  const answerOf = new Map(answers.map((a) => [a.person_id, a]));
  const substituteFor = new Map<number, string>();
  for (const a of answers) if (a.substitute_person_id !== null) substituteFor.set(a.substitute_person_id, people.get(a.person_id)?.name ?? '');
  const presence = byPerson(marks.map((m) => ({ ...m, day })));
  const rows = [...people.values()].map((p): ListPerson => {
    const answer = answerOf.get(p.id);
    const said = answer ? (answer.substitute_person_id !== null && people.has(answer.substitute_person_id) ? `zastępstwo: ${people.get(answer.substitute_person_id)!.name}` : MEETING_ANSWERS[answer.answer]) : null;
    return { personId: p.id, name: p.name, institution: p.institution, team: loaded.team.name, answer: said, substituteFor: substituteFor.get(p.id) ?? null, presence: presence.get(p.id) ?? new Map() };
  });
  const place = [loaded.series.location, loaded.series.online_url].filter(Boolean).join(', ') || null;
  return {
    subject,
    kindName: 'Spotkanie PZK',
    activityKind: null,
    title: messages.pl.meetingTitle(loaded.team.name),
    teamName: loaded.team.name,
    place,
    days: [{ day, start: occurrence.start, end: occurrence.end }],
    people: sorted(rows),
  };
}

async function activityList(db: Kysely<Database>, subject: AttendanceSubject): Promise<AttendanceList | undefined> {
  const activity = await db.selectFrom('activities').selectAll().where('id', '=', subject.refId).executeTakeFirst();
  if (!activity) return undefined;
  const days = activityDays(activity).filter((d) => !subject.day || d.day === subject.day);
  if (days.length === 0) return undefined;
  const dayNames = days.map((d) => d.day);
  const [rsvps, marks] = await Promise.all([
    db.selectFrom('rsvps').select(['person_id', 'answer']).where('activity_id', '=', activity.id).execute(),
    db.selectFrom('attendance').select(['person_id', 'present', 'day']).where('kind', '=', 'activity').where('ref_id', '=', activity.id).where('day', 'in', dayNames).execute(),
  ]);
  const ids = new Set<number>([...rsvps.filter((r) => r.answer === 'accepted').map((r) => r.person_id), ...marks.map((m) => m.person_id)]);
  const people = await peopleById(db, [...ids]);
  const teams = await firstTeams(db, [...ids]);
  const answerOf = new Map(rsvps.map((r) => [r.person_id, RSVP_ANSWERS[r.answer]]));
  const presence = byPerson(marks);
  const rows = [...people.values()].map(
    (p): ListPerson => ({ personId: p.id, name: p.name, institution: p.institution, team: teams.get(p.id) ?? null, answer: answerOf.get(p.id) ?? null, substituteFor: null, presence: presence.get(p.id) ?? new Map() }),
  );
  return {
    subject,
    kindName: messages.pl.kind(activity.kind),
    activityKind: activity.kind,
    title: activity.title,
    teamName: null,
    place: [activity.location, activity.online_url].filter(Boolean).join(', ') || null,
    days,
    people: sorted(rows),
  };
}

async function peopleById(db: Kysely<Database>, ids: number[]) {
  if (ids.length === 0) return new Map<number, { id: number; name: string; institution: string | null }>();
  const rows = await db.selectFrom('people').select(['id', 'name', 'institution']).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, r]));
}

/** Each person's first team by name (the same rule as the answers export). */
async function firstTeams(db: Kysely<Database>, ids: number[]): Promise<Map<number, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('memberships')
    .innerJoin('teams', 'teams.id', 'memberships.team_id')
    .select(['memberships.person_id', (e) => e.fn.min('teams.name').as('name')])
    .where('memberships.person_id', 'in', ids)
    .where('memberships.removed_at', 'is', null)
    .groupBy('memberships.person_id')
    .execute();
  return new Map(rows.map((r) => [r.person_id, r.name]));
}

function byPerson(marks: { person_id: number; present: boolean; day: string }[]): Map<number, Map<string, boolean>> {
  const out = new Map<number, Map<string, boolean>>();
  for (const m of marks) {
    let days = out.get(m.person_id);
    if (!days) out.set(m.person_id, (days = new Map()));
    days.set(m.day, m.present);
  }
  return out;
}

const sorted = (rows: ListPerson[]) => rows.sort((a, b) => collator.compare(a.name, b.name) || collator.compare(a.institution ?? '', b.institution ?? '') || a.personId - b.personId);
