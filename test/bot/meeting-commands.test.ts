import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Bot } from '../../src/bot/bot.js';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { deliveryRenderer } from '../../src/delivery/render-delivery.js';
import { createLogger } from '../../src/log.js';
import type { Message } from '../../src/ports/channel.port.js';
import { processScheduleChanges } from '../../src/reminders/change-notices.js';
import { planReminders } from '../../src/reminders/plan-reminders.js';
import { importSchedules } from '../../src/schedule/import-schedule.js';
import { loadScheduleFiles } from '../../src/schedule/load-schedule.js';
import { dialects, demoDatabase } from '../support/databases.js';

const clock = new FixedClock('2027-01-04T08:00:00Z');

describe.each(dialects)('meeting changes and settings from chat on %s', (kind) => {
  let db: Db;
  let bot: Bot;
  let changed = 0;
  const say = (email: string, line: string) => {
    const [command = '', ...rest] = line.split(' ');
    return bot.handle({ type: 'command', from: { channel: 'console', email }, command, text: rest.join(' ') });
  };
  const coordinator = 'anna.nowak@example.org';
  let member: string;

  beforeEach(async () => {
    clock.set('2027-01-04T08:00:00Z');
    changed = 0;
    db = await demoDatabase(kind, clock);
    await processScheduleChanges(db.db, clock);
    bot = new Bot({ db: db.db, clock, publicUrl: 'https://koop.example.org', appSecret: 'k'.repeat(40), log: createLogger('silent'), onDataChanged: () => changed++ });
    member = (
      await db.db
        .selectFrom('memberships')
        .innerJoin('people', 'people.id', 'memberships.person_id')
        .select('people.email')
        .where('memberships.team_id', '=', 'lodz')
        .where('memberships.role', '=', 'member')
        .where('people.language', '=', 'pl')
        .executeTakeFirstOrThrow()
    ).email;
  });
  afterEach(async () => db?.close());

  it('should let the coordinator cancel a meeting: one notice per member, its reminders gone', async () => {
    await planReminders(db.db, { clock });
    const before = await db.db.selectFrom('deliveries').select('dedupe_key').where('dedupe_key', 'like', 'reminder:lodz:2027-01-26:%').execute();
    expect(before.length).toBeGreaterThan(0);
    const answer = await say(coordinator, 'spotkania odwołaj 26.01.2027');
    expect(answer.text).toMatch(/^Spotkanie \(wtorek, 26 stycznia 2027, 10:00\) zostało odwołane\. Powiadomienie otrzyma(ją)? \d+ os(oba|oby|ób) z zespołu\.$/);
    expect(changed).toBe(1);
    await processScheduleChanges(db.db, clock);
    await processScheduleChanges(db.db, clock);
    const reminders = await db.db.selectFrom('deliveries').select('dedupe_key').where('dedupe_key', 'like', 'reminder:lodz:2027-01-26:%').execute();
    expect(reminders).toEqual([]);
    const notices = await db.db.selectFrom('deliveries').select(['person_id']).where('kind', '=', 'meeting_change').execute();
    const members = await db.db.selectFrom('memberships').select('person_id').where('team_id', '=', 'lodz').where('removed_at', 'is', null).execute();
    expect(notices.map((n) => n.person_id).sort()).toEqual(members.map((m) => m.person_id).sort());

    const sent: Message[] = [];
    const dispatcher = new Dispatcher({
      db: db.db,
      clock,
      log: createLogger('silent'),
      workerId: 'w',
      render: deliveryRenderer(db.db, 'https://koop.example.org'),
      senders: new Map([['email', { kind: 'email', send: async (_a: string, m: Message) => (sent.push(m), { ok: true }) }]]),
    });
    await dispatcher.drain();
    expect(sent.find((m) => m.language === 'pl')!.title).toBe('Odwołane: spotkanie zespołu PZK Łódź – demo (wtorek, 26 stycznia 2027, 10:00)');
  });

  it('should move a meeting and tell the new time', async () => {
    const answer = await say(coordinator, 'spotkania przenieś 2027-01-26 2027-01-27 12:30');
    expect(answer.text).toContain('przeniesiono na środę, 27 stycznia 2027, 12:30');
    const exception = await db.db.selectFrom('meeting_exceptions').selectAll().where('occurrence_date', '=', '2027-01-26').executeTakeFirstOrThrow();
    expect(exception.moved_to_local).toBe('2027-01-27T12:30');
  });

  it.each([
    ['spotkania odwołaj 2027-01-27', 'nie jest dniem spotkania'],
    ['spotkania odwołaj wczoraj', 'Nie rozumiemy daty „wczoraj”'],
    ['spotkania odwołaj', 'Użycie:'],
    ['spotkania przenieś 2027-01-26 jutro', 'Proszę podać nowy termin z godziną'],
    ['spotkania odwołaj 2026-12-22', 'już się rozpoczęło lub odbyło'],
  ])('should answer "%s" politely and change nothing', async (line, text) => {
    const answer = await say(coordinator, line);
    expect(answer.text).toContain(text);
    expect(await db.db.selectFrom('schedule_changes').select('id').where('notified_at', 'is', null).execute()).toEqual([]);
  });

  it('should refuse a member who is not a coordinator, and show dead letters only to coordinators', async () => {
    expect((await say(member, 'spotkania odwołaj 2027-01-26')).text).toBe('Odwoływać i przenosić spotkania mogą koordynatorzy zespołu i RCPS.');
    expect((await say(member, 'dostarczenia')).text).toContain('widzą koordynatorzy zespołów i RCPS');
    expect((await say(coordinator, 'dostarczenia')).text).toBe('Wszystkie wiadomości do Pani/Pana zespołów dotarły.');
  });

  it('should keep settings the person chose, through a re-import, and honour them when sending', async () => {
    expect((await say(member, 'ustawienia wycisz przypomnienia')).text).toContain('Wyciszone rodzaje: przypomnienia');
    expect((await say(member, 'ustawienia wycisz email slack teams')).text).toContain('Nie można wyłączyć wszystkich kanałów');
    // Issue 14: channels as people name them, not the internal `teams`.
    expect((await say(member, 'ustawienia wycisz teams')).text).toContain('Wyłączone kanały: Microsoft Teams');
    expect((await say(member, 'ustawienia włącz teams')).text).toContain('Wyłączone kanały: brak');
    expect((await say(member, 'ustawienia cisza 25-6')).text).toContain('Proszę podać ciszę nocną');
    await importSchedules(db.db, await loadScheduleFiles(['calendars/demo.yaml']), { clock, defaultTimezone: 'Europe/Warsaw' });
    expect((await say(member, 'ustawienia')).text).toContain('Wyciszone rodzaje: przypomnienia');
    await planReminders(db.db, { clock });
    // The day before the 23 February meeting: its P7D and P1D reminders are due, the meeting not begun.
    clock.set('2027-02-22T12:00:00Z');
    const sentTo: string[] = [];
    const dispatcher = new Dispatcher({
      db: db.db,
      clock,
      log: createLogger('silent'),
      workerId: 'w',
      render: deliveryRenderer(db.db, 'https://koop.example.org'),
      senders: new Map([['email', { kind: 'email', send: async (address: string) => (sentTo.push(address), { ok: true }) }]]),
    });
    await dispatcher.drain();
    expect(sentTo).toContain(coordinator);
    expect(sentTo).not.toContain(member);
  });

  it('should re-time reminders already waiting when the person changes their quiet hours with "ustawienia cisza"', async () => {
    await planReminders(db.db, { clock });
    const pt2h = (email: string) =>
      db.db
        .selectFrom('deliveries')
        .innerJoin('people', 'people.id', 'deliveries.person_id')
        .select('deliveries.due_at')
        .where('people.email', '=', email)
        .where('deliveries.dedupe_key', 'like', 'reminder:lodz:2027-01-12:PT2H:%')
        .executeTakeFirstOrThrow();
    // Tuesday 12 January, 10:00: the PT2H reminder falls at 08:00, in the member's new quiet hours (22–9).
    expect((await pt2h(member)).due_at.toISOString()).toBe('2027-01-12T07:00:00.000Z');
    expect((await say(member, 'ustawienia cisza 22-9')).text).toContain('22');
    expect((await pt2h(member)).due_at.toISOString()).toBe('2027-01-12T08:00:00.000Z');
    expect((await pt2h(coordinator)).due_at.toISOString()).toBe('2027-01-12T07:00:00.000Z');
  });
});
