import { ruleDates } from '../domain/occurrences.js';
import { isValidLocalDate, isValidLocalDateTime, isZone } from '../domain/local-time.js';
import { rruleProblem } from './schedule-file.schema.js';

export interface CrossProblem {
  path: string;
  segments: PropertyKey[];
  message: string;
}

/** ['teams', 0, 'meetings', 'rrule'] → 'teams[0].meetings.rrule' */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), '');
}

type Raw = Record<string, unknown>;
const list = (v: unknown): Raw[] => (Array.isArray(v) ? (v as Raw[]) : []);
const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * Checks that span entries: duplicates, references, exceptions that must hit a meeting day.
 * It reads the raw data defensively, so these problems are reported in the same run as
 * structural ones instead of only after those are fixed.
 */
export function crossCheck(raw: unknown, otherTeams: ReadonlySet<string> = new Set()): CrossProblem[] {
  const problems: CrossProblem[] = [];
  const add = (segments: PropertyKey[], message: string) => problems.push({ path: formatPath(segments), segments, message });
  const root = (raw ?? {}) as Raw;
  const teams = list(root.teams);
  const teamIds = new Set<string>();

  teams.forEach((team, t) => {
    const id = text(team?.id);
    if (id && teamIds.has(id)) add(['teams', t, 'id'], `duplicate team id "${id}"`);
    if (id) teamIds.add(id);
    const emails = new Map<string, number>();
    list(team?.members).forEach((member, m) => {
      const email = text(member?.email)?.toLowerCase();
      if (!email) return;
      if (emails.has(email)) add(['teams', t, 'members', m, 'email'], `${email} is already teams[${t}].members[${emails.get(email)}]`);
      emails.set(email, m);
    });
    checkExceptions(team?.meetings as Raw | undefined, text(team?.timezone) ?? text(root.timezone), ['teams', t, 'meetings'], add);
  });

  checkPeopleAgree(teams, list(root.staff), add);

  const activityIds = new Set<string>();
  list(root.activities).forEach((activity, a) => {
    const id = text(activity?.id);
    if (id && activityIds.has(id)) add(['activities', a, 'id'], `duplicate activity id "${id}"`);
    if (id) activityIds.add(id);
    const audience = activity?.audience;
    if (Array.isArray(audience)) {
      audience.forEach((teamId, i) => {
        if (typeof teamId === 'string' && !teamIds.has(teamId) && !otherTeams.has(teamId)) {
          const known = [...new Set([...teamIds, ...otherTeams])];
          add(['activities', a, 'audience', i], `unknown team "${teamId}" (known teams: ${known.join(', ') || 'none'})`);
        }
      });
    }
  });
  return problems;
}

function checkExceptions(meetings: Raw | undefined, timezone: string | undefined, at: PropertyKey[], add: (s: PropertyKey[], m: string) => void) {
  const rule = text(meetings?.rrule);
  const starts = text(meetings?.starts);
  if (!rule || !starts || rruleProblem(rule) || !isValidLocalDateTime(starts)) return;
  const seen = new Set<string>();
  list(meetings?.except).forEach((exception, e) => {
    const raw = exception?.date;
    const date = raw instanceof Date ? raw.toISOString().slice(0, 10) : text(raw);
    if (!date || !isValidLocalDate(date)) return;
    if (seen.has(date)) add([...at, 'except', e, 'date'], `${date} has two exceptions`);
    seen.add(date);
    const onRule = ruleDates({ rrule: rule, startsLocal: starts, timezone: timezone && isZone(timezone) ? timezone : 'Europe/Warsaw' }, `${date}T00:00`, `${date}T23:59`).length > 0;
    if (!onRule) add([...at, 'except', e, 'date'], `${date} is not a meeting day of this series (${rule} from ${starts})`);
  });
}

/** The same person in several places must be described the same way. */
function checkPeopleAgree(teams: Raw[], staff: Raw[], add: (s: PropertyKey[], m: string) => void) {
  const first = new Map<string, { at: string; name: unknown; language: unknown }>();
  const visit = (person: Raw, segments: PropertyKey[]) => {
    const email = text(person?.email)?.toLowerCase();
    if (!email) return;
    const seen = first.get(email);
    const language = person.language ?? 'pl';
    if (!seen) {
      first.set(email, { at: formatPath(segments), name: person.name, language });
      return;
    }
    if (seen.name !== person.name || seen.language !== language) {
      add([...segments, 'name'], `${email} is also ${seen.at} with another name or language; describe a person the same way everywhere`);
    }
  };
  teams.forEach((team, t) => list(team?.members).forEach((m, i) => visit(m, ['teams', t, 'members', i])));
  const staffEmails = new Set<string>();
  staff.forEach((s, i) => {
    const email = text(s?.email)?.toLowerCase();
    if (email && staffEmails.has(email)) add(['staff', i, 'email'], `${email} is listed twice in staff`);
    if (email) staffEmails.add(email);
    visit(s, ['staff', i]);
  });
}
