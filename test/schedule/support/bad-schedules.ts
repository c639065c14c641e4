import { aMember, anActivity, aTeam, scheduleYaml } from './schedule-builder.js';

/** One file per kind of error, each with exactly one problem: where it is and what it says. */
export interface BadSchedule {
  what: string;
  text: string;
  path: string;
  message: RegExp;
  /** The text on the line the problem must point to (searched from `after`). */
  line: [needle: string, after?: string];
}

export const badSchedules: BadSchedule[] = [
  {
    what: 'an unknown key',
    text: scheduleYaml({ teams: [aTeam({ colour: 'red' })] }),
    path: 'teams[0].colour',
    message: /unknown key.*colour/,
    line: ['colour:'],
  },
  {
    what: 'an RRULE with an unknown property',
    text: scheduleYaml({ teams: [aTeam({ meetings: { rrule: 'FREQ=MONTHLY;BYDAY=2TU;FOO=1' } })] }),
    path: 'teams[0].meetings.rrule',
    message: /not a valid RRULE.*FOO.*e\.g\. FREQ=MONTHLY/,
    line: ['rrule:'],
  },
  {
    what: 'an RRULE carrying its own DTSTART',
    text: scheduleYaml({ teams: [aTeam({ meetings: { rrule: 'DTSTART=20270112T100000;FREQ=WEEKLY' } })] }),
    path: 'teams[0].meetings.rrule',
    message: /only the rule.*`starts`/,
    line: ['rrule:'],
  },
  {
    what: 'an activity that ends before it starts',
    text: scheduleYaml({ activities: [anActivity({ starts: '2027-03-10T09:00', ends: '2027-03-09T16:00' })] }),
    path: 'activities[0].ends',
    message: /must be after starts \(2027-03-10T09:00\)/,
    line: ['ends:'],
  },
  {
    what: 'a duplicate team id',
    text: scheduleYaml({ teams: [aTeam(), aTeam({ name: 'Drugi' })] }),
    path: 'teams[1].id',
    message: /duplicate team id "lodz"/,
    line: ['id: lodz', 'members:'],
  },
  {
    what: 'a duplicate activity id',
    text: scheduleYaml({ activities: [anActivity(), anActivity({ title: 'Drugie' })] }),
    path: 'activities[1].id',
    message: /duplicate activity id "warsztaty-2027-1"/,
    line: ['id: warsztaty-2027-1', 'Ośrodek szkoleniowy'],
  },
  {
    what: 'an audience naming an unknown team',
    text: scheduleYaml({ activities: [anActivity({ audience: ['lodz', 'lowicz'] })] }),
    path: 'activities[0].audience[1]',
    message: /unknown team "lowicz" \(known teams: lodz\)/,
    line: ['- lowicz'],
  },
  {
    what: 'a malformed e-mail address',
    text: scheduleYaml({
      teams: [aTeam({ members: [aMember(), aMember({ name: 'Ewa', email: 'ewa@example.org' }), aMember({ name: 'Jan', email: 'jan.example.org' })] })],
    }),
    path: 'teams[0].members[2].email',
    message: /not a valid e-mail address/,
    line: ['jan.example.org'],
  },
  {
    what: 'an id with characters links cannot carry',
    text: scheduleYaml({ teams: [aTeam({ id: 'Łódź_1' })], activities: [] }),
    path: 'teams[0].id',
    message: /only a-z, 0-9 and "-"/,
    line: ['Łódź_1'],
  },
  {
    what: 'an exception on a day with no meeting',
    text: scheduleYaml({ teams: [aTeam({ meetings: { except: [{ date: '2027-03-10', cancelled: true }] } })] }),
    path: 'teams[0].meetings.except[0].date',
    message: /2027-03-10 is not a meeting day of this series/,
    line: ['date: 2027-03-10'],
  },
  {
    what: 'a file time zone that does not exist',
    text: scheduleYaml({ timezone: 'Europe/Atlantis' }),
    path: 'timezone',
    message: /not a known time zone \(e\.g\. Europe\/Warsaw\)/,
    line: ['Europe/Atlantis'],
  },
  {
    what: 'a team time zone that does not exist',
    text: scheduleYaml({ teams: [aTeam({ timezone: 'Mars/Olympus' })] }),
    path: 'teams[0].timezone',
    message: /not a known time zone/,
    line: ['Mars/Olympus'],
  },
  {
    what: 'a duration written like 2h',
    text: scheduleYaml({ teams: [aTeam({ meetings: { duration: '2h' } })] }),
    path: 'teams[0].meetings.duration',
    message: /ISO 8601 duration like PT2H/,
    line: ['duration: 2h'],
  },
];
