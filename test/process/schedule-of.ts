import { DateTime } from 'luxon';
import { aMember, anActivity, aTeam, scheduleYaml } from '../schedule/support/schedule-builder.js';

/** One team of `members` people (e-mail only) and a workshop for them `daysAhead` days from now. */
export function bigTeamWithWorkshop(members: number, daysAhead = 30): string {
  const day = DateTime.now().setZone('Europe/Warsaw').plus({ days: daysAhead });
  return scheduleYaml({
    teams: [
      aTeam({
        id: 'duzy',
        name: 'PZK Duży',
        meetings: { starts: day.plus({ days: 7 }).toFormat("yyyy-MM-dd'T'10:00"), rrule: 'FREQ=MONTHLY;BYDAY=2TU' },
        members: Array.from({ length: members }, (_, i) => aMember({ name: `Osoba ${i}`, email: `osoba${i}@example.org`, role: i === 0 ? 'coordinator' : 'member' })),
      }),
    ],
    activities: [
      anActivity({
        id: 'warsztaty-duze',
        starts: day.toFormat("yyyy-MM-dd'T'09:00"),
        ends: day.toFormat("yyyy-MM-dd'T'15:00"),
        audience: ['duzy'],
      }),
    ],
  });
}
