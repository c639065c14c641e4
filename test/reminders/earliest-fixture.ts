// The team (with Marta, staff who may stand in) that earliest-planned and earliest-substitute plan reminders for.

/**
 * Tuesday 9 March 2027 at 18:00 (or `starts`), reminders a day, 2 h and 15 min before (or
 * `reminders`); Anna and Marta (not a member) of one institution, Ewa of another.
 */
export function teamWithSubstitute(except = '', { starts = '2027-03-09T18:00', reminders = 'P1D, PT2H, PT15M' }: { starts?: string; reminders?: string } = {}): string {
  return `
staff:
  - { name: Marta Zastępczyni, email: marta@example.org, institution: PZK Łódź }
teams:
  - id: t1
    name: PZK Test
    area: gmina
    meetings:
      rrule: FREQ=WEEKLY;BYDAY=TU;COUNT=1
      starts: ${starts}
      duration: PT2H
      location: Sala 1
      reminders: [${reminders}]
${except ? `      except:\n${except}\n` : ''}    members:
      - { name: Ewa Koordynator, email: ewa@example.org, role: coordinator, institution: Inna }
      - { name: Anna Członek, email: anna@example.org, institution: PZK Łódź }
`;
}
