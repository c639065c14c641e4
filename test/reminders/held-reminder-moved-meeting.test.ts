import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { deliveryRenderer } from '../../src/delivery/render-delivery.js';
import { createLogger } from '../../src/log.js';
import type { Message } from '../../src/ports/channel.port.js';
import { processScheduleChanges } from '../../src/reminders/change-notices.js';
import { planReminders } from '../../src/reminders/plan-reminders.js';
import { dialects, freshDatabase } from '../support/databases.js';
import { importYaml } from '../support/schedule-builder.js';
import { oneMeetingTeam, warsaw } from './held-reminder-fixture.js';

/**
 * Brief of h-misc: a moved occurrence has a new reminder key (occurrenceKey), so a reminder
 * held by quiet hours and already sent for the old time was suspected to be planned again for
 * the new one. Not so: for a move of half an hour the new time meant (21:30) is past and quiet
 * hours hold it to the same 07:00, also past, so planning leaves it (plannedTimingRule); the
 * members get the change notice only. Moved before 07:00, the held reminder goes once, for the
 * new time. Both pass without a change of the code.
 */
const schedule = oneMeetingTeam('2027-03-09T09:00', 'PT12H');

describe.each(dialects)('a reminder held by quiet hours, for a meeting moved half an hour later, on %s', (kind) => {
  let db: Db;
  let sent: Message[];
  let dispatcher: Dispatcher;
  const clock = new FixedClock(warsaw('2027-03-08T12:00'));
  const moveTo = async (at: string) => {
    clock.set(warsaw(at));
    await importYaml(db.db, clock, { 't.yaml': schedule(false, '2027-03-09T09:30') });
    await processScheduleChanges(db.db, clock);
    await planReminders(db.db, { clock });
  };
  const drainAt = async (at: string) => {
    clock.set(warsaw(at));
    await dispatcher.drain();
  };
  const titles = () => sent.map((m) => m.title);

  beforeEach(async () => {
    clock.set(warsaw('2027-03-08T12:00'));
    db = await freshDatabase(kind);
    sent = [];
    dispatcher = new Dispatcher({
      db: db.db,
      clock,
      log: createLogger('silent'),
      workerId: 'w',
      render: deliveryRenderer(db.db, 'https://koop.example.org'),
      senders: new Map([['email', { kind: 'email', send: async (_a: string, m: Message) => (sent.push(m), { ok: true }) }]]),
    });
    await importYaml(db.db, clock, { 't.yaml': schedule(false) });
    await planReminders(db.db, { clock });
  });
  afterEach(async () => db?.close());

  it('should not send the reminder again when the meeting is moved after it went, only the notice of the move', async () => {
    await drainAt('2027-03-09T07:00');
    expect(titles()).toEqual(['Przypomnienie: spotkanie zespołu PZK Test za 2 godziny']);
    await moveTo('2027-03-09T07:10');
    for (const at of ['2027-03-09T07:10', '2027-03-09T07:30', '2027-03-09T08:00', '2027-03-09T09:29']) await drainAt(at);
    expect(sent).toHaveLength(2);
    expect(sent[1]!.text).toContain('9:30');
    expect(sent[1]!.title).not.toMatch(/^Przypomnienie/);
    const waiting = await db.db.selectFrom('deliveries').select('dedupe_key').where('kind', '=', 'reminder').where('state', '=', 'pending').execute();
    expect(waiting).toEqual([]);
  });

  it('should send the held reminder once, for the new time, when the meeting is moved before it went', async () => {
    await moveTo('2027-03-08T22:00');
    for (const at of ['2027-03-08T22:00', '2027-03-09T06:59', '2027-03-09T07:00', '2027-03-09T08:00', '2027-03-09T09:29']) await drainAt(at);
    const reminders = sent.filter((m) => m.title.startsWith('Przypomnienie'));
    expect(reminders).toHaveLength(1);
    expect(reminders[0]!.text).toContain('9:30');
    expect(sent).toHaveLength(2);
  });
});
