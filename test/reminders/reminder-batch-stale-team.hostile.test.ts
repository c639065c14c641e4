import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import type { DeliveryRow } from '../../src/db/tables.js';
import { RenderBatch } from '../../src/delivery/batch-context.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { DEFAULT_PACING, platformPacing } from '../../src/delivery/platform-pacing.js';
import { deliveryRenderer } from '../../src/delivery/render-delivery.js';
import { createLogger } from '../../src/log.js';
import type { ChannelSender, Message } from '../../src/ports/channel.port.js';
import { planReminders } from '../../src/reminders/plan-reminders.js';
import { importSchedules } from '../../src/schedule/import-schedule.js';
import { parseScheduleText } from '../../src/schedule/load-schedule.js';
import { dialects, freshDatabase } from '../support/databases.js';

/**
 * Hostile (review of 8f9ef4b). The dispatcher renders each row of a claimed batch only after its
 * pace turn (and, for e-mail, a free connection: dispatcher.ts pacedSend), so the batch's rows
 * are rendered one after another over its whole send. Reminders of one meeting shared one
 * rendering before; a reminder of ANOTHER team was rendered from the database as it was when
 * that team's first row came to be sent. Now every team of the batch is read at the batch's first
 * reminder: a meeting cancelled (chat `odwolaj`, which leaves reminder rows to the render check),
 * or a coordinator removed, after the first row of the batch went but before this team's first
 * row is rendered, is sent as it was: a reminder of a cancelled meeting.
 */
const schedule = `teams:
  - id: t0
    name: PZK 0
    area: gmina
    meetings:
      rrule: FREQ=WEEKLY;BYDAY=TU;COUNT=1
      starts: 2027-03-30T10:00
      duration: PT2H
      location: Sala 0
      reminders: [P7D]
    members:
      - { name: Koordynatorka 0, email: k0@example.org, role: coordinator }
      - { name: Członek 0, email: c0@example.org }
  - id: t1
    name: PZK 1
    area: gmina
    meetings:
      rrule: FREQ=WEEKLY;BYDAY=TU;COUNT=1
      starts: 2027-03-30T12:00
      duration: PT2H
      location: Sala 1
      reminders: [P7D]
    members:
      - { name: Koordynatorka 1, email: k1@example.org, role: coordinator }
      - { name: Druga 1, email: d1@example.org, role: coordinator }
      - { name: Członek 1, email: c1@example.org }
`;

describe.each(dialects)('a batch of reminders whose later team changed before its turn on %s', (kind) => {
  let db: Db;
  const clock = new FixedClock('2027-03-01T00:00:00Z');
  beforeEach(async () => {
    clock.set('2027-03-01T00:00:00Z');
    db = await freshDatabase(kind);
    const parsed = parseScheduleText('t.yaml', schedule);
    expect(parsed.problems).toEqual([]);
    await importSchedules(db.db, [{ source: 't.yaml', file: 't.yaml', data: parsed.data! }], { clock, defaultTimezone: 'Europe/Warsaw' });
    await planReminders(db.db, { clock });
  });
  afterEach(async () => db?.close());

  /** One claimed batch: t0's rows are rendered (their turn came), then `meanwhile`, then t1's. */
  async function renderWithChangeBetween(meanwhile: () => Promise<unknown>) {
    const rows = (await db.db.selectFrom('deliveries').selectAll().where('kind', '=', 'reminder').orderBy('id').execute()) as DeliveryRow[];
    const of = (team: string) => rows.filter((r) => (r.payload as { teamId: string }).teamId === team);
    expect(of('t0').length).toBeGreaterThan(0);
    expect(of('t1').length).toBeGreaterThan(0);
    const render = deliveryRenderer(db.db, 'https://koop.example.org');
    const batch = new RenderBatch(rows);
    const first = await Promise.all(of('t0').map((row) => render({ ...row, claimed_at: clock.now() }, 'pl', batch)));
    expect(first.every(Boolean)).toBe(true);
    await meanwhile();
    return Promise.all(of('t1').map((row) => render({ ...row, claimed_at: clock.now() }, 'pl', batch)));
  }

  /** `odwolaj` as chat writes it: an exception; the reminder rows wait and are checked when rendered. */
  const cancelT1 = () =>
    db.db
      .insertInto('meeting_exceptions')
      .values({ team_id: 't1', occurrence_date: '2027-03-30', cancelled: true, moved_to_local: null, chat_changed_at: clock.now(), file_cancelled: false, file_moved_to_local: null })
      .execute();

  it('should send no reminder of a meeting cancelled before its own rows were rendered', async () => {
    const later = await renderWithChangeBetween(cancelT1);
    expect(later).toEqual(later.map(() => undefined));
  });

  it('should name only the coordinators the team has when its reminder is rendered', async () => {
    const later = await renderWithChangeBetween(() =>
      db.db
        .updateTable('memberships')
        .set({ removed_at: clock.now() })
        .where('team_id', '=', 't1')
        .where('person_id', 'in', (eb) => eb.selectFrom('people').select('id').where('email', '=', 'd1@example.org'))
        .execute(),
    );
    for (const message of later.filter(Boolean)) {
      expect(message!.fields).toContainEqual({ label: 'Nieobecność proszę zgłosić', value: 'Koordynatorka 1 (k1@example.org)' });
    }
    expect(later.filter(Boolean).length).toBeGreaterThan(0);
  });

  // The same through the dispatcher: e-mail with one connection (ChannelSender.concurrency), so
  // each row of the batch is rendered only once the send before it is over. The meeting of t1 is
  // cancelled while the batch's first e-mail (a t0 reminder) is on its way.
  it('should not send, from one claimed batch, the reminders of a meeting cancelled during its first send', async () => {
    clock.set('2027-03-23T14:00:00Z');
    const sent: { address: string; message: Message }[] = [];
    const email: ChannelSender = {
      kind: 'email',
      concurrency: 1,
      send: async (address, message) => {
        sent.push({ address, message });
        if (sent.length === 1) await cancelT1();
        return { ok: true };
      },
    };
    const pacing = { ...DEFAULT_PACING, email: { perSecond: 1000, burst: 1000 } };
    const dispatcher = new Dispatcher({
      db: db.db, clock, log: createLogger('silent'), workerId: 'w', batchSize: 20, senders: new Map([['email', email]]), maxPaceWaitMs: 1000,
      pacing: (channel, address) => platformPacing(channel, address, pacing),
      render: deliveryRenderer(db.db, 'https://koop.example.org'),
      ...(db.openSession ? { openSession: () => db.openSession!() } : {}),
    });
    try {
      await dispatcher.drain();
    } finally {
      await dispatcher.stop();
    }
    expect(sent.length).toBeGreaterThan(0);
    expect(sent[0]!.message.title).toContain('PZK 0');
    expect(sent.filter((s) => s.message.title.includes('PZK 1')).map((s) => s.address)).toEqual([]);
    const t1 = (await db.db.selectFrom('deliveries').select(['state', 'payload']).where('kind', '=', 'reminder').execute()).filter((r) => (r.payload as { teamId: string }).teamId === 't1');
    expect(t1.length).toBeGreaterThan(0);
    expect(t1.map((r) => r.state)).toEqual(t1.map(() => 'cancelled'));
  });
});
