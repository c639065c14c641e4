import { ruleDates } from '../domain/occurrences.js';
import { isValidLocalDate, isValidLocalDateTime, isZone } from '../domain/local-time.js';
import type { Language } from '../i18n/messages.js';
import { scheduleProblemMessages, type ScheduleProblemTexts } from '../i18n/schedule-problem-messages.js';
import { rruleProblem } from './rrule-problem.js';

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
 * Checks that span fields or entries: the RRULE, exceptions (cancelled or moved, on a meeting
 * day, once), an activity's end and answer date, duplicates, references. It reads the raw data
 * defensively, so these problems are reported in the same run as structural ones instead of
 * only after those are fixed.
 */
export function crossCheck(raw: unknown, otherTeams: ReadonlySet<string> = new Set(), language: Language = 'en'): CrossProblem[] {
  const t = scheduleProblemMessages[language];
  const problems: CrossProblem[] = [];
  const add = (segments: PropertyKey[], message: string) => problems.push({ path: formatPath(segments), segments, message });
  const root = (raw ?? {}) as Raw;
  const teams = list(root.teams);
  const teamIds = new Set<string>();

  teams.forEach((team, i) => {
    const id = text(team?.id);
    if (id && teamIds.has(id)) add(['teams', i, 'id'], t.duplicateTeam(id));
    if (id) teamIds.add(id);
    const emails = new Map<string, number>();
    list(team?.members).forEach((member, m) => {
      const email = text(member?.email)?.toLowerCase();
      if (!email) return;
      if (emails.has(email)) add(['teams', i, 'members', m, 'email'], t.duplicateMember(email, `teams[${i}].members[${emails.get(email)}]`));
      emails.set(email, m);
    });
    const meetings = team?.meetings as Raw | undefined;
    const rule = text(meetings?.rrule);
    const ruleProblem = rule === undefined ? undefined : rruleProblem(rule, language);
    if (ruleProblem) add(['teams', i, 'meetings', 'rrule'], ruleProblem);
    checkExceptions(meetings, text(team?.timezone) ?? text(root.timezone), ['teams', i, 'meetings'], add, t);
  });

  checkPeopleAgree(teams, list(root.staff), add, t);

  const activityIds = new Set<string>();
  list(root.activities).forEach((activity, a) => {
    const id = text(activity?.id);
    if (id && activityIds.has(id)) add(['activities', a, 'id'], t.duplicateActivity(id));
    if (id) activityIds.add(id);
    const starts = text(activity?.starts);
    const ends = text(activity?.ends);
    const rsvpRaw = activity?.rsvp_by;
    const rsvpBy = rsvpRaw instanceof Date ? rsvpRaw.toISOString().slice(0, 10) : text(rsvpRaw);
    if (starts && isValidLocalDateTime(starts)) {
      if (ends && isValidLocalDateTime(ends) && ends <= starts) add(['activities', a, 'ends'], t.endsBeforeStarts(starts));
      if (rsvpBy && isValidLocalDate(rsvpBy) && rsvpBy > starts.slice(0, 10)) add(['activities', a, 'rsvp_by'], t.rsvpAfterStart(starts.slice(0, 10)));
    }
    checkQuestions(activity?.questions, ['activities', a, 'questions'], add, t);
    const audience = activity?.audience;
    if (Array.isArray(audience)) {
      audience.forEach((teamId, i) => {
        if (typeof teamId === 'string' && !teamIds.has(teamId) && !otherTeams.has(teamId)) {
          const known = [...new Set([...teamIds, ...otherTeams])];
          add(['activities', a, 'audience', i], t.unknownTeam(teamId, known));
        }
      });
    }
  });
  return problems;
}

function checkExceptions(meetings: Raw | undefined, timezone: string | undefined, at: PropertyKey[], add: (s: PropertyKey[], m: string) => void, t: ScheduleProblemTexts) {
  const exceptions = list(meetings?.except);
  exceptions.forEach((exception, e) => {
    if (!exception || typeof exception !== 'object') return;
    const cancelled = exception.cancelled === true;
    const moved = exception.moved_to !== undefined && exception.moved_to !== null;
    if (!cancelled && !moved) add([...at, 'except', e], t.exceptionNeeds);
    if (cancelled && moved) add([...at, 'except', e], t.exceptionBoth);
  });
  const rule = text(meetings?.rrule);
  const starts = text(meetings?.starts);
  if (!rule || !starts || rruleProblem(rule) || !isValidLocalDateTime(starts)) return;
  const seen = new Set<string>();
  exceptions.forEach((exception, e) => {
    const raw = exception?.date;
    const date = raw instanceof Date ? raw.toISOString().slice(0, 10) : text(raw);
    if (!date || !isValidLocalDate(date)) return;
    if (seen.has(date)) add([...at, 'except', e, 'date'], t.twoExceptions(date));
    seen.add(date);
    const onRule = ruleDates({ rrule: rule, startsLocal: starts, timezone: timezone && isZone(timezone) ? timezone : 'Europe/Warsaw' }, `${date}T00:00`, `${date}T23:59`).length > 0;
    if (!onRule) add([...at, 'except', e, 'date'], t.notMeetingDay(date, rule, starts));
  });
}

/** The same person in several places must be described the same way. */
function checkPeopleAgree(teams: Raw[], staff: Raw[], add: (s: PropertyKey[], m: string) => void, t: ScheduleProblemTexts) {
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
      add([...segments, 'name'], t.personDiffers(email, seen.at));
    }
  };
  teams.forEach((team, ti) => list(team?.members).forEach((m, i) => visit(m, ['teams', ti, 'members', i])));
  const staffEmails = new Set<string>();
  staff.forEach((s, i) => {
    const email = text(s?.email)?.toLowerCase();
    if (email && staffEmails.has(email)) add(['staff', i, 'email'], t.staffTwice(email));
    if (email) staffEmails.add(email);
    visit(s, ['staff', i]);
  });
}

/** Options only for choices, at least one for them; question and option ids once each. */
function checkQuestions(raw: unknown, at: PropertyKey[], add: (s: PropertyKey[], m: string) => void, t: ScheduleProblemTexts) {
  const ids = new Set<string>();
  list(raw).forEach((question, q) => {
    if (!question || typeof question !== 'object') return;
    const id = text(question.id);
    if (id && ids.has(id)) add([...at, q, 'id'], t.duplicateQuestion(id));
    if (id) ids.add(id);
    const kind = text(question.kind);
    const options = question.options;
    if (kind === 'text' && options !== undefined) add([...at, q, 'options'], t.optionsForText);
    if ((kind === 'choice' || kind === 'multi-choice') && (!Array.isArray(options) || options.length === 0)) add([...at, q, 'kind'], t.choiceNeedsOptions(kind));
    const optionIds = new Set<string>();
    list(options).forEach((option, o) => {
      const value = text(option?.id);
      if (value && optionIds.has(value)) add([...at, q, 'options', o, 'id'], t.duplicateOption(value));
      if (value) optionIds.add(value);
    });
  });
}
