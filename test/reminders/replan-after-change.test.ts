import { DateTime } from 'luxon';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { createLogger } from '../../src/log.js';
import type { Message } from '../../src/ports/channel.port.js';
import { processScheduleChanges } from '../../src/reminders/change-notices.js';
import { planReminders, replanTeam } from '../../src/reminders/plan-reminders.js';
import { renderReminder } from '../../src/reminders/reminder-message.js';
import { planCheckins } from '../../src/reports/checkins.js';
import { dialects, freshDatabase } from '../support/databases.js';
import { importYaml } from '../support/schedule-builder.js';

const warsaw = (iso: string) => DateTime.fromISO(iso, { zone: 'Europe/Warsaw' }).toJSDate();
const local = (d: Date) => DateTime.fromJSDate(d, { zone: 'Europe/Warsaw' }).toFormat("yyyy-MM-dd'T'HH:mm");

/** One team meeting on Tuesdays at `time`; `except` lines go under meetings. */
function schedule(options: { starts: string; rrule: string; reminders?: string; except?: string; name?: string }): string {
  return `
teams:
  - id: t1
    name: ${options.name ?? 'PZK Test'}
    area: gmina
    meetings:
      rrule: ${options.rrule}
      starts: ${options.starts}
      duration: PT2H
      location: Sala 1
      reminders: ${options.reminders ?? '[P7D, P1D, PT2H]'}
${options.except ? `      except:\n${options.except}\n` : ''}    members:
      - { name: Ewa Koordynator, email: ewa@example.org, role: coordinator }
      - { name: John Member, email: john@example.org, language: en }
`;
}

describe.each(dialects)('reminders and check-ins after a change of the team on %s', (kind) => {
  let db: Db;
  const clock = new FixedClock('2027-03-01T00:00:00Z');
  const load = (text: string) => importYaml(db.db, clock, { 't.yaml': text });
  const pending = async (kindOf: 'reminder' | 'checkin', email = 'ewa@example.org') =>
    (
      await db.db
        .selectFrom('deliveries')
        .innerJoin('people', 'people.id', 'deliveries.person_id')
        .select(['deliveries.due_at', 'deliveries.payload'])
        .where('people.email', '=', email)
        .where('deliveries.kind', '=', kindOf)
        .where('deliveries.state', '=', 'pending')
        .orderBy('deliveries.due_at')
        .execute()
    ).map((r) => `${local(r.due_at)} ${(r.payload as { offset?: string; stage?: string }).offset ?? (r.payload as { stage: string }).stage}`);

  beforeEach(async () => {
    clock.set('2027-03-01T00:00:00Z');
    db = await freshDatabase(kind);
  });
  afterEach(async () => db?.close());

  it('should ask for the status of a moved meeting only after it took place', async () => {
    await load(schedule({ starts: '2027-03-09T10:00', rrule: 'FREQ=MONTHLY;BYDAY=2TU' }));
    await planCheckins(db.db, { clock });
    expect(await pending('checkin')).toContain('2027-03-10T09:00 ask');
    await load(schedule({ starts: '2027-03-09T10:00', rrule: 'FREQ=MONTHLY;BYDAY=2TU', except: '        - { date: 2027-03-09, moved_to: "2027-03-18T10:00" }' }));
    await processScheduleChanges(db.db, clock);
    await planCheckins(db.db, { clock });
    const checkins = await pending('checkin');
    // Thursday 18 March: asked on Friday the 19th, nudged two working days later (Tuesday the 23rd).
    expect(checkins.filter((c) => c.startsWith('2027-03-1') || c.startsWith('2027-03-2'))).toEqual(['2027-03-19T09:00 ask', '2027-03-23T09:00 nudge']);
  });

  it('should keep a reminder that quiet hours are holding when the team changes, and word it for when it goes', async () => {
    // A 09:00 meeting with a reminder 12 hours before: 21:00 is quiet, so it waits until 07:00.
    await load(schedule({ starts: '2027-03-09T09:00', rrule: 'FREQ=WEEKLY;BYDAY=TU;COUNT=1', reminders: '[PT12H]' }));
    await planReminders(db.db, { clock });
    expect(await pending('reminder')).toEqual(['2027-03-09T07:00 PT12H']);
    clock.set(warsaw('2027-03-08T22:00').toISOString());
    await load(schedule({ starts: '2027-03-09T09:00', rrule: 'FREQ=WEEKLY;BYDAY=TU;COUNT=1', reminders: '[PT12H]', name: 'PZK Test (nowa nazwa)' }));
    await replanTeam(db.db, 't1', clock);
    expect(await pending('reminder')).toEqual(['2027-03-09T07:00 PT12H']);

    clock.set(warsaw('2027-03-09T07:00').toISOString());
    const sent: Message[] = [];
    const dispatcher = new Dispatcher({
      db: db.db,
      clock,
      log: createLogger('silent'),
      workerId: 'w',
      render: (row, language) => renderReminder(db.db, row, language, 'https://koop.example.org'),
      senders: new Map([['email', { kind: 'email', send: async (_a: string, m: Message) => (sent.push(m), { ok: true }) }]]),
    });
    expect(await dispatcher.drain()).toMatchObject({ sent: 2 });
    expect(sent.map((m) => m.title).sort()).toEqual(['Przypomnienie: spotkanie zespołu PZK Test (nowa nazwa) za 2 godziny', 'Reminder: PZK Test (nowa nazwa) team meeting in 2 hours']);
  });

  it('should remind of a meeting moved from beyond the horizon to a date inside it', async () => {
    await load(schedule({ starts: '2027-03-09T10:00', rrule: 'FREQ=MONTHLY;BYDAY=2TU' }));
    await planReminders(db.db, { clock });
    // 8 June lies beyond the 60 days; moved to 16 March, it needs its three reminders.
    await load(schedule({ starts: '2027-03-09T10:00', rrule: 'FREQ=MONTHLY;BYDAY=2TU', except: '        - { date: 2027-06-08, moved_to: "2027-03-16T12:00" }' }));
    await processScheduleChanges(db.db, clock);
    expect((await pending('reminder')).filter((r) => r >= '2027-03-09T')).toEqual(['2027-03-09T08:00 PT2H', '2027-03-09T12:00 P7D', '2027-03-15T12:00 P1D', '2027-03-16T10:00 PT2H', '2027-04-06T10:00 P7D', '2027-04-12T10:00 P1D', '2027-04-13T08:00 PT2H']);
    await planCheckins(db.db, { clock });
    expect(await pending('checkin')).toContain('2027-03-17T09:00 ask');
  });
});
