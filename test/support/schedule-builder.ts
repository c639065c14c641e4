import type { Kysely } from 'kysely';
import { stringify } from 'yaml';
import type { Clock } from '../../src/clock.js';
import type { Database } from '../../src/db/tables.js';
import { importSchedules, type ImportSummary } from '../../src/schedule/import-schedule.js';
import { formatProblem, parseScheduleText, type LoadedSchedule } from '../../src/schedule/load-schedule.js';

/**
 * Schedule files for tests, built with defaults and written as YAML text, so every test goes
 * through the real parser and validation (CONTRACT.md "Schedule files").
 */
type Plain = Record<string, unknown>;

export class TeamBuilder {
  private readonly team: Plain;
  private readonly meetings: Plain;
  private readonly except: Plain[] = [];
  private readonly members: Plain[] = [];

  constructor(id: string) {
    this.meetings = {
      rrule: 'FREQ=MONTHLY;BYDAY=2TU,4TU',
      starts: '2027-01-12T10:00',
      duration: 'PT2H',
      location: `Sala 12, ${id}`,
      on_holiday: 'shift',
    };
    this.team = { id, name: `PZK ${id}`, area: 'gmina' };
  }

  named(name: string): this {
    this.team.name = name;
    return this;
  }

  meetingsEvery(rrule: string, starts: string, duration = 'PT2H'): this {
    Object.assign(this.meetings, { rrule, starts, duration });
    return this;
  }

  at(location: string): this {
    this.meetings.location = location;
    return this;
  }

  onHoliday(choice: 'skip' | 'shift' | 'keep'): this {
    this.meetings.on_holiday = choice;
    return this;
  }

  cancelling(date: string): this {
    this.except.push({ date, cancelled: true });
    return this;
  }

  moving(date: string, to: string): this {
    this.except.push({ date, moved_to: to });
    return this;
  }

  withMember(name: string, email: string, role: 'member' | 'coordinator' = 'member'): this {
    this.members.push({ name, email, role });
    return this;
  }

  build(): Plain {
    return { ...this.team, meetings: { ...this.meetings, except: this.except }, members: this.members };
  }
}

export class ActivityBuilder {
  private readonly activity: Plain;

  constructor(id: string) {
    this.activity = { id, kind: 'workshop', title: `Działanie ${id}`, starts: '2027-03-10T09:00', ends: '2027-03-10T15:00', audience: 'all', public: false };
  }

  ofKind(kind: 'workshop' | 'training' | 'coaching' | 'conference' | 'education' | 'consultation'): this {
    this.activity.kind = kind;
    return this;
  }

  titled(title: string): this {
    this.activity.title = title;
    return this;
  }

  describedAs(description: string): this {
    this.activity.description = description;
    return this;
  }

  at(location: string): this {
    this.activity.location = location;
    return this;
  }

  from(starts: string, ends: string): this {
    Object.assign(this.activity, { starts, ends });
    return this;
  }

  forTeams(...teams: string[]): this {
    this.activity.audience = teams;
    return this;
  }

  forEveryone(): this {
    this.activity.audience = 'all';
    return this;
  }

  publicly(): this {
    this.activity.public = true;
    return this;
  }

  build(): Plain {
    return { ...this.activity };
  }
}

export class ScheduleBuilder {
  private readonly teams: TeamBuilder[] = [];
  private readonly activities: ActivityBuilder[] = [];

  constructor(private readonly timezone = 'Europe/Warsaw') {}

  with(...teams: TeamBuilder[]): this {
    this.teams.push(...teams);
    return this;
  }

  withActivities(...activities: ActivityBuilder[]): this {
    this.activities.push(...activities);
    return this;
  }

  toYaml(): string {
    return stringify({
      timezone: this.timezone,
      teams: this.teams.map((t) => t.build()),
      activities: this.activities.map((a) => a.build()),
    });
  }
}

export const aTeam = (id: string) => new TeamBuilder(id);
export const anActivity = (id: string) => new ActivityBuilder(id);
export const aSchedule = (timezone?: string) => new ScheduleBuilder(timezone);

/** Parses one file's text as the importer would read it; a test fixture with problems fails loudly. */
export function loadedSchedule(file: string, text: string): LoadedSchedule {
  const { data, problems } = parseScheduleText(file, text);
  if (!data) throw new Error(`fixture ${file} is invalid:\n${problems.map(formatProblem).join('\n')}`);
  return { source: file, file, data };
}

/** Imports files given as { 'name.yaml': yamlText } with the real importer. */
export function importYaml(db: Kysely<Database>, clock: Clock, files: Record<string, string>): Promise<ImportSummary> {
  const schedules = Object.entries(files).map(([file, text]) => loadedSchedule(file, text));
  return importSchedules(db, schedules, { clock, defaultTimezone: 'Europe/Warsaw' });
}
