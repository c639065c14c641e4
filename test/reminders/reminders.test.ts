import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { createLogger } from '../../src/log.js';
import type { Message } from '../../src/ports/channel.port.js';
import { inHowLong, renderReminder } from '../../src/reminders/reminder-message.js';
import { planReminders, replanTeam } from '../../src/reminders/plan-reminders.js';
import { outsideQuietHours } from '../../src/reminders/quiet-hours.js';
import { importSchedules } from '../../src/schedule/import-schedule.js';
import { parseScheduleText } from '../../src/schedule/load-schedule.js';
import { dialects, freshDatabase } from '../support/databases.js';

const warsaw = (iso: string) => DateTime.fromISO(iso, { zone: 'Europe/Warsaw' }).toJSDate();
const local = (d: Date) => DateTime.fromJSDate(d, { zone: 'Europe/Warsaw' }).toFormat("yyyy-MM-dd'T'HH:mm");

function schedule(starts: string, rrule: string, extra = '', onHoliday = 'shift'): string {
  return `
teams:
  - id: t1
    name: PZK Test
    area: gmina
    meetings:
      rrule: ${rrule}
      starts: ${starts}
      duration: PT2H
      location: Sala 1
      reminders: [P7D, P1D, PT2H]
      on_holiday: ${onHoliday}
${extra}
    members:
      - { name: Ewa Koordynator, email: ewa@example.org, role: coordinator }
      - { name: John Member, email: john@example.org, language: en }
`;
}

describe('quiet hours and wording', () => {
  it('should move a reminder due at night to 07:00, but not past the start of the meeting', () => {
    expect(local(outsideQuietHours(warsaw('2027-03-01T22:00'), warsaw('2027-03-03T10:00'), 'Europe/Warsaw'))).toBe('2027-03-02T07:00');
    expect(local(outsideQuietHours(warsaw('2027-03-02T05:30'), warsaw('2027-03-02T10:00'), 'Europe/Warsaw'))).toBe('2027-03-02T07:00');
    expect(local(outsideQuietHours(warsaw('2027-03-02T05:30'), warsaw('2027-03-02T06:30'), 'Europe/Warsaw'))).toBe('2027-03-02T05:30');
    expect(local(outsideQuietHours(warsaw('2027-03-02T12:00'), warsaw('2027-03-02T14:00'), 'Europe/Warsaw'))).toBe('2027-03-02T12:00');
  });

  it('should end daytime quiet hours the same day, leave the night alone, and know none when both hours are equal', () => {
    const day = { from: 8, to: 18 };
    const at = (due: string, quiet = day) => local(outsideQuietHours(warsaw(due), warsaw('2027-03-09T10:00'), 'Europe/Warsaw', quiet));
    expect(at('2027-03-02T10:00')).toBe('2027-03-02T18:00');
    expect(at('2027-03-02T08:00')).toBe('2027-03-02T18:00');
    expect(at('2027-03-02T05:30')).toBe('2027-03-02T05:30');
    expect(at('2027-03-02T18:00')).toBe('2027-03-02T18:00');
    expect(at('2027-03-02T23:00')).toBe('2027-03-02T23:00');
    expect(at('2027-03-02T03:00', { from: 7, to: 7 })).toBe('2027-03-02T03:00');
  });

  it.each([
    ['P7D', 'pl', 'za 7 dni'],
    ['P1D', 'pl', 'jutro'],
    ['PT2H', 'pl', 'za 2 godziny'],
    ['PT5H', 'pl', 'za 5 godzin'],
    ['PT2H', 'en', 'in 2 hours'],
  ])('should say %s in %s as "%s"', (offset, language, text) => {
    expect(inHowLong(offset, language as 'pl' | 'en')).toBe(text);
  });
});

describe.each(dialects)('reminders on %s', (kind) => {
  let db: Db;
  const clock = new FixedClock('2027-03-01T00:00:00Z');
  const load = async (text: string) => {
    const parsed = parseScheduleText('t.yaml', text);
    expect(parsed.problems).toEqual([]);
    await importSchedules(db.db, [{ source: 't.yaml', file: 't.yaml', data: parsed.data! }], { clock, defaultTimezone: 'Europe/Warsaw' });
  };
  const dues = async (email = 'ewa@example.org') =>
    (
      await db.db
        .selectFrom('deliveries')
        .innerJoin('people', 'people.id', 'deliveries.person_id')
        .select(['deliveries.due_at', 'deliveries.dedupe_key', 'deliveries.expires_at'])
        .where('people.email', '=', email)
        .where('deliveries.kind', '=', 'reminder')
        .where('deliveries.state', '=', 'pending')
        .orderBy('deliveries.due_at')
        .execute()
    ).map((r) => local(r.due_at));

  beforeEach(async () => {
    clock.set('2027-03-01T00:00:00Z');
    db = await freshDatabase(kind);
  });
  afterEach(async () => db?.close());

  it('should plan each offset for each member, at the right local times across the March change, once', async () => {
    // Tuesdays at 10:00; the clocks go forward on Sunday 28 March 2027.
    await load(schedule('2027-03-30T10:00', 'FREQ=WEEKLY;BYDAY=TU;COUNT=1'));
    expect(await planReminders(db.db, { clock })).toBe(6);
    expect(await planReminders(db.db, { clock })).toBe(0);
    expect(await dues()).toEqual(['2027-03-23T10:00', '2027-03-29T10:00', '2027-03-30T08:00']);
  });

  it('should plan a person with quiet hours of their own apart, with the same reference as everyone else', async () => {
    await load(schedule('2027-03-30T10:00', 'FREQ=WEEKLY;BYDAY=TU;COUNT=1'));
    const john = (await db.db.selectFrom('people').select('id').where('email', '=', 'john@example.org').executeTakeFirstOrThrow()).id;
    await db.db.insertInto('preferences').values({ person_id: john, quiet_from: 22, quiet_to: 9, muted_kinds: '[]', muted_channels: '[]' }).execute();
    expect(await planReminders(db.db, { clock })).toBe(6);
    expect(await planReminders(db.db, { clock })).toBe(0);
    // The PT2H reminder falls at 08:00: in John's quiet hours (22–9) it waits until 09:00, still before the meeting.
    expect(await dues('john@example.org')).toEqual(['2027-03-23T10:00', '2027-03-29T10:00', '2027-03-30T09:00']);
    expect(await dues()).toEqual(['2027-03-23T10:00', '2027-03-29T10:00', '2027-03-30T08:00']);
    const payloads = await db.db.selectFrom('deliveries').select(['payload', 'dedupe_key', 'channels', 'team_id', 'expires_at']).where('dedupe_key', 'like', '%:PT2H:%').execute();
    expect(payloads).toHaveLength(2);
    expect(payloads[0]!.payload).toEqual({ type: 'reminder', teamId: 't1', date: '2027-03-30', offset: 'PT2H' });
    expect(payloads[1]!.payload).toEqual(payloads[0]!.payload);
    expect(payloads.map((p) => p.dedupe_key).sort()).toEqual(
      [`reminder:t1:2027-03-30:PT2H:${john}`, expect.stringMatching(/^reminder:t1:2027-03-30:PT2H:\d+$/)].sort(),
    );
    expect(payloads.every((p) => p.team_id === 't1' && local(p.expires_at!) === '2027-03-30T10:00' && JSON.stringify(p.channels) === '["email"]')).toBe(true);
  });

  it('should follow a holiday shift: Easter Monday 2027 moves to Tuesday, and so do its reminders', async () => {
    await load(schedule('2027-03-29T09:00', 'FREQ=WEEKLY;BYDAY=MO;COUNT=1'));
    await planReminders(db.db, { clock });
    expect(await dues()).toEqual(['2027-03-23T09:00', '2027-03-29T09:00', '2027-03-30T07:00']);
  });

  it('should keep only the horizon and never plan what is already due', async () => {
    clock.set(warsaw('2027-03-29T09:00').toISOString());
    await load(schedule('2027-03-30T10:00', 'FREQ=WEEKLY;BYDAY=TU'));
    await planReminders(db.db, { clock, horizonDays: 14 });
    // 30 March: P7D is past; 6 April: all three; 13 April lies beyond the 14 days.
    expect(await dues()).toEqual(['2027-03-29T10:00', '2027-03-30T08:00', '2027-03-30T10:00', '2027-04-05T10:00', '2027-04-06T08:00']);
  });

  it('should replace pending reminders when a meeting is moved, leaving no stale one', async () => {
    await load(schedule('2027-03-30T10:00', 'FREQ=WEEKLY;BYDAY=TU;COUNT=1'));
    await planReminders(db.db, { clock });
    await load(schedule('2027-03-30T10:00', 'FREQ=WEEKLY;BYDAY=TU;COUNT=1', '      except:\n        - { date: 2027-03-30, moved_to: "2027-03-31T12:00" }'));
    await replanTeam(db.db, 't1', clock);
    expect(await dues()).toEqual(['2027-03-24T12:00', '2027-03-30T12:00', '2027-03-31T10:00']);
  });

  it('should render the reminder at send time in the member language with place, coordinator and calendar link', async () => {
    await load(schedule('2027-03-30T10:00', 'FREQ=WEEKLY;BYDAY=TU;COUNT=1'));
    await planReminders(db.db, { clock });
    clock.set(warsaw('2027-03-23T10:00').toISOString());
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
    const polish = sent.find((m) => m.language === 'pl')!;
    expect(polish.title).toBe('Przypomnienie: spotkanie zespołu PZK Test za 7 dni');
    expect(polish.fields).toContainEqual({ label: 'Kiedy', value: 'wtorek, 30 marca 2027, 10:00' });
    expect(polish.fields).toContainEqual({ label: 'Nieobecność proszę zgłosić', value: 'Ewa Koordynator (ewa@example.org)' });
    expect(polish.links).toContainEqual({ label: 'Dodaj do kalendarza', url: 'https://koop.example.org/calendars/teams/t1.ics' });
    expect(sent.find((m) => m.language === 'en')!.title).toBe('Reminder: PZK Test team meeting in 7 days');
  });

  it('should cancel a planned reminder whose meeting was cancelled in the meantime, sending nothing', async () => {
    await load(schedule('2027-03-30T10:00', 'FREQ=WEEKLY;BYDAY=TU;COUNT=1'));
    await planReminders(db.db, { clock });
    await load(schedule('2027-03-30T10:00', 'FREQ=WEEKLY;BYDAY=TU;COUNT=1', '      except:\n        - { date: 2027-03-30, cancelled: true }'));
    clock.set(warsaw('2027-03-23T10:00').toISOString());
    const dispatcher = new Dispatcher({
      db: db.db,
      clock,
      log: createLogger('silent'),
      workerId: 'w',
      render: (row, language) => renderReminder(db.db, row, language, 'https://koop.example.org'),
      senders: new Map([['email', { kind: 'email', send: async () => ({ ok: true }) }]]),
    });
    // The import queued the notices of the cancellation with itself; only the reminders are looked at here.
    await db.db.deleteFrom('deliveries').where('kind', '=', 'meeting_change').execute();
    expect(await dispatcher.drain()).toMatchObject({ sent: 0 });
    const states = await db.db.selectFrom('deliveries').select('state').where('state', '=', 'cancelled').execute();
    expect(states).toHaveLength(2);
  });
});
