import { stringify } from 'yaml';

/**
 * Builders for schedule-file YAML with sensible defaults: a test states only what it is about.
 * Values are plain objects so a test can also put in what the schema forbids (unknown keys,
 * wrong types) and see how the validator explains it.
 */
type Entry = Record<string, unknown>;

export function aMember(over: Entry = {}): Entry {
  return { name: 'Anna Nowak', email: 'anna.nowak@example.org', role: 'coordinator', ...over };
}

/** Tuesdays 2 and 4 of each month from 12 January 2027, 10:00, two hours. */
export function meetings(over: Entry = {}): Entry {
  return {
    rrule: 'FREQ=MONTHLY;BYDAY=2TU,4TU',
    starts: '2027-01-12T10:00',
    duration: 'PT2H',
    location: 'Sala 12, ul. Przykładowa 1, Łódź',
    ...over,
  };
}

export function aTeam(over: Entry & { meetings?: Entry } = {}): Entry {
  const { meetings: meetingOver, ...rest } = over;
  return {
    id: 'lodz',
    name: 'PZK Łódź',
    area: 'gmina',
    meetings: meetings(meetingOver),
    members: [aMember()],
    ...rest,
  };
}

export function anActivity(over: Entry = {}): Entry {
  return {
    id: 'warsztaty-2027-1',
    kind: 'workshop',
    title: 'Warsztaty kooperacyjne',
    starts: '2027-03-10T09:00',
    ends: '2027-03-11T16:00',
    location: 'Ośrodek szkoleniowy, Spała',
    audience: ['lodz'],
    public: true,
    ...over,
  };
}

export interface ScheduleSpec {
  timezone?: string;
  teams?: Entry[];
  staff?: Entry[];
  activities?: Entry[];
  [extra: string]: unknown;
}

/** A whole file; with no arguments, one team with one member and one activity for it. */
export function scheduleYaml(spec: ScheduleSpec = {}): string {
  return stringify({ timezone: 'Europe/Warsaw', teams: [aTeam()], activities: [anActivity()], ...spec });
}

/** 1-based line of the first line containing `needle` (after `from`, if given): where a problem should point. */
export function lineOf(text: string, needle: string, from?: string): number {
  const lines = text.split('\n');
  const start = from === undefined ? 0 : lines.findIndex((l) => l.includes(from));
  if (start < 0) throw new Error(`"${from}" is not in the text`);
  const index = lines.findIndex((l, i) => i >= start && l.includes(needle));
  if (index < 0) throw new Error(`"${needle}" is not in the text`);
  return index + 1;
}
