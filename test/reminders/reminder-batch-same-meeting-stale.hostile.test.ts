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
 * Hostile (review of d92deff; NOT caused by it: these fail before d92deff as well). The batch's
 * rows are rendered one by one over its whole send, and renderReminder's comment and
 * docs/participation.md promise that a meeting cancelled, or a coordinator removed, after the
 * batch's first reminder went is not sent as it was. That holds for another team's meeting
 * only: rows of ONE meeting share one rendering for the whole batch and language
 * (personalReminder: batch.once('reminder-shared|…')), and the members' answers are read once
 * per batch (batchAnswers). A member of a meeting whose row comes after the first member's has
 * gone out is reminded of the meeting as it was: cancelled, or with a coordinator removed; a
 * member who said "nie będę" after the batch's first reminder went is still reminded.
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
      - { name: Druga 0, email: d0@example.org, role: coordinator }
      - { name: Członek 0, email: c0@example.org }
`;

describe.each(dialects)('rows of one meeting rendered before and after a change, in one batch, on %s', (kind) => {
  let db: Db;
  const clock = new FixedClock('2027-03-01T00:00:00Z');
  beforeEach(async () => {
    db = await freshDatabase(kind);
    const parsed = parseScheduleText('t.yaml', schedule);
    expect(parsed.problems).toEqual([]);
    await importSchedules(db.db, [{ source: 't.yaml', file: 't.yaml', data: parsed.data! }], { clock, defaultTimezone: 'Europe/Warsaw' });
    await planReminders(db.db, { clock });
  });
  afterEach(async () => db?.close());

  /** The first row of the batch is rendered (its turn came), then `meanwhile`, then the member c0's row. */
  async function renderWithChangeBetween(meanwhile: () => Promise<unknown>) {
    const rows = (await db.db.selectFrom('deliveries').selectAll().where('kind', '=', 'reminder').orderBy('id').execute()) as DeliveryRow[];
    const member = (await db.db.selectFrom('people').select('id').where('email', '=', 'c0@example.org').executeTakeFirstOrThrow()).id;
    const last = rows.find((r) => r.person_id === member)!;
    const first = rows.find((r) => r.person_id !== member)!;
    expect(last).toBeDefined();
    const render = deliveryRenderer(db.db, 'https://koop.example.org');
    const batch = new RenderBatch(rows);
    expect(await render({ ...first, claimed_at: clock.now() }, 'pl', batch)).toBeDefined();
    await meanwhile();
    return { later: await render({ ...last, claimed_at: clock.now() }, 'pl', batch), member };
  }

  it('should not remind a member of the meeting cancelled after another member of it was reminded', async () => {
    const { later } = await renderWithChangeBetween(() =>
      db.db
        .insertInto('meeting_exceptions')
        .values({ team_id: 't0', occurrence_date: '2027-03-30', cancelled: true, moved_to_local: null, chat_changed_at: clock.now(), file_cancelled: false, file_moved_to_local: null })
        .execute(),
    );
    expect(later).toBeUndefined();
  });

  it('should name only the coordinators the team has when a later member of the meeting is reminded', async () => {
    const { later } = await renderWithChangeBetween(() =>
      db.db
        .updateTable('memberships')
        .set({ removed_at: clock.now() })
        .where('team_id', '=', 't0')
        .where('person_id', 'in', (eb) => eb.selectFrom('people').select('id').where('email', '=', 'd0@example.org'))
        .execute(),
    );
    expect(later?.fields).toContainEqual({ label: 'Nieobecność proszę zgłosić', value: 'Koordynatorka 0 (k0@example.org)' });
  });

  it('should not remind a member who said "nie będę" after the batch began', async () => {
    let person = 0;
    const { later } = await renderWithChangeBetween(async () => {
      person = (await db.db.selectFrom('people').select('id').where('email', '=', 'c0@example.org').executeTakeFirstOrThrow()).id;
      await db.db
        .insertInto('meeting_answers')
        .values({ team_id: 't0', occurrence_date: '2027-03-30', person_id: person, answer: 'not_attending', reason: null, substitute_person_id: null, substitute_email: null, absence_id: null, source: 'chat', answered_at: clock.now() })
        .execute();
    });
    expect(person).toBeGreaterThan(0);
    expect(later).toBeUndefined();
  });
  // Through the dispatcher: e-mail with one connection, so each row is rendered once the send
  // before it is over. The meeting is cancelled while its first member's e-mail is on its way.
  it("should not send the other members' reminders of a meeting cancelled during its first member's send", async () => {
    clock.set('2027-03-23T14:00:00Z');
    const sent: { address: string; message: Message }[] = [];
    const email: ChannelSender = {
      kind: 'email',
      concurrency: 1,
      send: async (address, message) => {
        sent.push({ address, message });
        if (sent.length === 1) {
          await db.db
            .insertInto('meeting_exceptions')
            .values({ team_id: 't0', occurrence_date: '2027-03-30', cancelled: true, moved_to_local: null, chat_changed_at: clock.now(), file_cancelled: false, file_moved_to_local: null })
            .execute();
        }
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
    // Only the e-mail that was on its way when the meeting was cancelled.
    expect(sent.map((s) => s.address)).toHaveLength(1);
  });
});
