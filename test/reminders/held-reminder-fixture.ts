import { DateTime } from 'luxon';

/** The held-reminder tests' zone, and a local time in it as a Date. */
export const zone = 'Europe/Warsaw';
export const warsaw = (iso: string) => DateTime.fromISO(iso, { zone }).toJSDate();

/**
 * A team with one meeting (`starts`, local) and one reminder offset, its coordinator Ewa, and
 * with `withOla` a second member, Ola: imported without her, then with her, she is the member
 * added after the reminder's time meant. With `movedTo` (local), the meeting is moved there.
 */
export const oneMeetingTeam = (starts: string, reminder: string) => (withOla: boolean, movedTo?: string) => `
teams:
  - id: t1
    name: PZK Test
    area: gmina
    meetings:
      rrule: FREQ=DAILY;COUNT=1
      starts: ${starts}
      duration: PT2H
      location: Sala 1
      reminders: [${reminder}]
${movedTo ? `      except:\n        - { date: ${starts.slice(0, 10)}, moved_to: "${movedTo}" }\n` : ''}    members:
      - { name: Ewa Koordynator, email: ewa@example.org, role: coordinator, institution: Inna }
${withOla ? '      - { name: Ola Nowa, email: ola@example.org, institution: Inna }\n' : ''}`;
