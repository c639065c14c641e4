import { zoned } from '../domain/local-time.js';
import type { LoadedSchedule } from './load-schedule.js';
import type { ActivityEntry, MemberEntry, StaffEntry, TeamEntry } from './schedule-file.schema.js';

/** What the files say, flattened into the shapes of the tables (no ids yet). */
export interface DesiredSchedule {
  /** `index`: the team's place in its file, for problems found against the database. */
  teams: Map<string, { source: string; file: string; entry: TeamEntry; timezone: string; index: number }>;
  people: Map<string, DesiredPerson>;
  activities: Map<string, { source: string; entry: ActivityEntry; timezone: string; startsAt: Date; endsAt: Date }>;
  sources: Set<string>;
}

export interface DesiredPerson {
  email: string;
  name: string;
  institution: string | null;
  language: 'pl' | 'en';
  channels: string[];
  staffRole: 'rcps' | 'admin' | null;
  source: string;
  memberships: Map<string, MemberEntry['role']>;
}

export function desiredSchedule(schedules: LoadedSchedule[], defaultTimezone: string): DesiredSchedule {
  const desired: DesiredSchedule = { teams: new Map(), people: new Map(), activities: new Map(), sources: new Set() };
  for (const { source, file, data } of schedules) {
    desired.sources.add(source);
    const fileZone = data.timezone ?? defaultTimezone;
    for (const [index, team] of data.teams.entries()) {
      desired.teams.set(team.id, { source, file, entry: team, timezone: team.timezone ?? fileZone, index });
      for (const member of team.members) person(desired, member, source).memberships.set(team.id, member.role);
    }
    for (const staff of data.staff) person(desired, staff, source).staffRole = staff.role;
    for (const activity of data.activities) {
      const timezone = activity.timezone ?? fileZone;
      desired.activities.set(activity.id, {
        source,
        entry: activity,
        timezone,
        startsAt: zoned(activity.starts, timezone).toJSDate(),
        endsAt: zoned(activity.ends, timezone).toJSDate(),
      });
    }
  }
  return desired;
}

function person(desired: DesiredSchedule, entry: MemberEntry | StaffEntry, source: string): DesiredPerson {
  const email = entry.email.toLowerCase();
  let found = desired.people.get(email);
  if (!found) {
    found = {
      email,
      name: entry.name,
      institution: entry.institution ?? null,
      language: entry.language,
      channels: entry.channels,
      staffRole: null,
      source,
      memberships: new Map(),
    };
    desired.people.set(email, found);
  }
  return found;
}

/** Names of the fields whose values differ; JSON-ish values are compared by their text. */
export function changedFields<T extends Record<string, unknown>>(before: T, after: Partial<T>): string[] {
  return Object.keys(after).filter((key) => {
    const a = before[key];
    const b = after[key];
    if (a instanceof Date || b instanceof Date) return new Date(a as Date).getTime() !== new Date(b as Date).getTime();
    if (typeof a === 'object' || typeof b === 'object') return JSON.stringify(a) !== JSON.stringify(b);
    return a !== b;
  });
}

export function chunk<T>(items: T[], size = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
