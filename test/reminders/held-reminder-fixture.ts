import { DateTime } from 'luxon';
import { afterEach, beforeEach } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db, DbKind } from '../../src/db/db.port.js';
import { freshDatabase } from '../support/databases.js';

/** The held-reminder tests' zone, a local time in it as a Date, and a Date as local time. */
export const zone = 'Europe/Warsaw';
export const warsaw = (iso: string) => DateTime.fromISO(iso, { zone }).toJSDate();
export const local = (d: Date) => DateTime.fromJSDate(new Date(d), { zone }).toFormat("yyyy-MM-dd'T'HH:mm");

/**
 * For the tests of the describe it is called in: a fresh database each (`world.db`), with the
 * clock set back to `start` (local) before each.
 */
export function heldReminderWorld(kind: DbKind, start: string): { clock: FixedClock; db: Db } {
  const world = { clock: new FixedClock(warsaw(start)), db: undefined as unknown as Db };
  beforeEach(async () => {
    world.clock.set(warsaw(start));
    world.db = await freshDatabase(kind);
  });
  afterEach(async () => world.db?.close());
  return world;
}

/**
 * Team t1, PZK Test, with one two-hour meeting at `starts` (local) in Sala 1; `meetingLines`
 * (indented six spaces, each ending in a newline) go under its meetings, `members` (flow maps) under its members.
 */
export const teamWithOneMeeting = (starts: string, members: string[], meetingLines = '') => `
teams:
  - id: t1
    name: PZK Test
    area: gmina
    meetings:
      rrule: FREQ=DAILY;COUNT=1
      starts: ${starts}
      duration: PT2H
      location: Sala 1
${meetingLines}    members:
${members.map((m) => `      - ${m}\n`).join('')}`;

/**
 * A team with one meeting (`starts`, local) and one reminder offset, its coordinator Ewa, and
 * with `withOla` a second member, Ola: imported without her, then with her, she is the member
 * added after the reminder's time meant. With `movedTo` (local), the meeting is moved there.
 */
export const oneMeetingTeam = (starts: string, reminder: string) => (withOla: boolean, movedTo?: string) =>
  teamWithOneMeeting(
    starts,
    ['{ name: Ewa Koordynator, email: ewa@example.org, role: coordinator, institution: Inna }', ...(withOla ? ['{ name: Ola Nowa, email: ola@example.org, institution: Inna }'] : [])],
    `      reminders: [${reminder}]\n${movedTo ? `      except:\n        - { date: ${starts.slice(0, 10)}, moved_to: "${movedTo}" }\n` : ''}`,
  );
