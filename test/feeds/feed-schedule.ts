import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/tables.js';
import { aSchedule, aTeam, anActivity } from '../support/schedule-builder.js';

/**
 * The schedule behind the feed tests. In 2027:
 * - lodz (shift) meets every Monday at 10:00; Easter Monday 29 March, 3 May and 1 November are
 *   holidays and shift to Tuesday; 15 February is cancelled; 14 June is moved to 16 June 12:00.
 * - lowicz (skip) meets on the 2nd and 4th Thursday at 13:00; Corpus Christi (27 May) and
 *   11 November are skipped; 23 September is cancelled.
 * - konin and kutno end with UNTIL (a local date-time, and a bare date) on Tuesday 22 June.
 */
export const LODZ_NAME = 'PZK Łódź, Bałuty; zespół A';
export const LODZ_LOCATION = 'Sala 12, ul. Przykładowa 1; wejście B\nII piętro';
export const WORKSHOP_TITLE = 'Warsztaty: komunikacja, mediacje; konflikty';
export const WORKSHOP_LOCATION = 'Ośrodek szkoleniowy, Spała; budynek „C”';
export const WORKSHOP_DESCRIPTION = 'Dzień 1: diagnoza, potrzeby; plan.\nDzień 2: role\\zadania, podsumowanie.';

export const PEOPLE = {
  anna: { name: 'Anna Nowak', email: 'anna.nowak@example.org' },
  piotr: { name: 'Piotr Kamiński', email: 'piotr.kaminski@example.org' },
  barbara: { name: 'Barbara Kowalczyk', email: 'barbara.kowalczyk@example.org' },
};

/** The database ids of PEOPLE once feedSchedule() is imported. */
export async function idsOfPeople(db: Kysely<Database>): Promise<Record<keyof typeof PEOPLE, number>> {
  const ids = { anna: 0, piotr: 0, barbara: 0 };
  for (const key of Object.keys(PEOPLE) as (keyof typeof PEOPLE)[]) {
    ids[key] = (await db.selectFrom('people').select('id').where('email', '=', PEOPLE[key].email).executeTakeFirstOrThrow()).id;
  }
  return ids;
}

export function feedSchedule({ lodzLocation = LODZ_LOCATION } = {}): string {
  return aSchedule()
    .with(
      aTeam('lodz')
        .named(LODZ_NAME)
        .meetingsEvery('FREQ=WEEKLY;BYDAY=MO', '2027-01-04T10:00')
        .at(lodzLocation)
        .onHoliday('shift')
        .cancelling('2027-02-15')
        .moving('2027-06-14', '2027-06-16T12:00')
        .withMember(PEOPLE.anna.name, PEOPLE.anna.email, 'coordinator')
        .withMember(PEOPLE.piotr.name, PEOPLE.piotr.email),
      aTeam('lowicz')
        .named('PZK Łowicz')
        .meetingsEvery('FREQ=MONTHLY;BYDAY=2TH,4TH', '2027-01-14T13:00', 'PT1H30M')
        .onHoliday('skip')
        .cancelling('2027-09-23')
        .withMember(PEOPLE.barbara.name, PEOPLE.barbara.email, 'coordinator'),
      aTeam('konin').meetingsEvery('FREQ=MONTHLY;BYDAY=2TU,4TU;UNTIL=20270622T100000', '2027-01-12T10:00').onHoliday('keep'),
      aTeam('kutno').meetingsEvery('FREQ=MONTHLY;BYDAY=2TU,4TU;UNTIL=20270622', '2027-01-12T10:00').onHoliday('keep'),
    )
    .withActivities(
      anActivity('szkolenie-all').ofKind('training').titled('Szkolenie: procedura „Niebieskie Karty”').from('2027-01-20T09:00', '2027-01-20T15:00').forEveryone().publicly(),
      anActivity('warsztaty-lodz-lowicz')
        .titled(WORKSHOP_TITLE)
        .at(WORKSHOP_LOCATION)
        .describedAs(WORKSHOP_DESCRIPTION)
        .from('2027-07-07T09:00', '2027-07-08T16:00')
        .forTeams('lodz', 'lowicz')
        .publicly(),
      anActivity('coaching-lodz').ofKind('coaching').from('2027-02-03T12:00', '2027-02-03T15:00').forTeams('lodz'),
      anActivity('konsultacje-lowicz').ofKind('consultation').from('2027-05-12T10:00', '2027-05-12T13:00').forTeams('lowicz'),
      anActivity('edukacja-all').ofKind('education').from('2027-11-03T10:00', '2027-11-03T12:00').forEveryone(),
    )
    .toYaml();
}
