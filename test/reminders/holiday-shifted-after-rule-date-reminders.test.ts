import { DateTime } from 'luxon';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { loadTeams } from '../../src/feeds/feed-data.js';
import { occurrencesStartingIn } from '../../src/domain/occurrences.js';
import { planReminders } from '../../src/reminders/plan-reminders.js';
import { dialects, freshDatabase } from '../support/databases.js';
import { importYaml } from '../support/schedule-builder.js';

const local = (d: Date) => DateTime.fromJSDate(d, { zone: 'Europe/Warsaw' }).toFormat("yyyy-MM-dd'T'HH:mm");

/**
 * Review: reminders (and check-ins) are planned for occurrencesIn(series, now, horizon), which
 * takes expandSeries by the RULE's date plus chat/file moves, but not holiday shifts. A meeting
 * whose rule date has passed but which was shifted by a holiday to a later day (Easter Monday
 * 29 March 2027 → Tuesday 30 March 10:00) is planned by no run after its rule date: a member who
 * joins then, or a reminder offset added then, gets nothing for it (occurrence-window.ts).
 */
describe.each(dialects)('reminders of a holiday-shifted meeting whose rule date has passed on %s', (kind) => {
  let db: Db;
  const clock = new FixedClock('2027-03-29T10:00:00Z'); // Easter Monday, 12:00 in Warsaw

  beforeEach(async () => {
    db = await freshDatabase(kind);
  });
  afterEach(async () => db?.close());

  it('should remind of Tuesday 30 March 10:00 two hours before', async () => {
    await importYaml(db.db, clock, {
      't.yaml': `
teams:
  - id: t1
    name: PZK Test
    area: gmina
    meetings:
      rrule: FREQ=WEEKLY;BYDAY=MO
      starts: 2027-03-01T10:00
      duration: PT2H
      location: Sala 1
      reminders: [PT2H]
    members:
      - { name: Ewa Koordynator, email: ewa@example.org, role: coordinator }
`,
    });
    // The meeting does take place on Tuesday at 10:00 (the schedule page and spotkania say so).
    const [team] = await loadTeams(db.db, ['t1']);
    const next = occurrencesStartingIn(team!.meetings, clock.now(), new Date('2027-03-31T00:00:00Z'));
    expect(next.map((o) => [o.status, local(o.start.toJSDate())])).toEqual([['shifted', '2027-03-30T10:00']]);

    await planReminders(db.db, { clock });
    const due = (await db.db.selectFrom('deliveries').select('due_at').where('kind', '=', 'reminder').where('state', '=', 'pending').orderBy('due_at').execute()).map((r) => local(r.due_at));
    expect(due).toContain('2027-03-30T08:00');
  });
});
