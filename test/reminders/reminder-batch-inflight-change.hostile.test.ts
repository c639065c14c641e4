import type { CompiledQuery, DatabaseConnection, Driver, QueryResult } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import type { DeliveryRow } from '../../src/db/tables.js';
import { RenderBatch } from '../../src/delivery/batch-context.js';
import { deliveryRenderer } from '../../src/delivery/render-delivery.js';
import { planReminders } from '../../src/reminders/plan-reminders.js';
import { importSchedules } from '../../src/schedule/import-schedule.js';
import { parseScheduleText } from '../../src/schedule/load-schedule.js';
import { dialects, freshDatabase } from '../support/databases.js';

/**
 * Hostile (review of d92deff). renderReminder used to read the data version AFTER the batch's
 * load had come back and compare it with the version read before the load: a change committed
 * while the load was running (its snapshot older than the change) was seen, and the row read its
 * own team again, as it now is. d92deff reads the version BEFORE asking and takes whatever load is
 * kept for that version, in flight or not: a meeting cancelled (or a coordinator removed) while
 * the batch's teams are being read, its version raised and known to this process before the
 * render goes on, is rendered and sent as it was. renderReminder's comment ("uses that load only
 * while the data version is still the one it was read at") no longer holds.
 *
 * PostgreSQL only: PGlite runs one statement at a time, so no commit can land between a load's
 * snapshot and its result (the load's wait for the connection comes before its snapshot, and a
 * load that waited sees the change).
 */
const team = (i: number) => `
  - id: t${i}
    name: PZK ${i}
    area: gmina
    meetings:
      rrule: FREQ=WEEKLY;BYDAY=TU;COUNT=1
      starts: 2027-03-30T1${i}:00
      duration: PT2H
      location: Sala ${i}
      reminders: [P7D]
    members:
      - { name: Koordynatorka ${i}, email: k${i}@example.org, role: coordinator }
      - { name: Druga ${i}, email: d${i}@example.org, role: coordinator }
      - { name: Członek ${i}, email: c${i}@example.org }`;

const TEAM_LOAD = /from "teams" inner join "meeting_series"/;

// Skipped, not empty, without TEST_DATABASE_URL (an empty describe.each fails the file).
describe.skipIf(!dialects.includes('postgres')).each(['postgres' as const])('a change committed while the batch teams load runs on %s', (kind) => {
  let db: Db;
  const clock = new FixedClock('2027-03-01T00:00:00Z');
  /** Run once, right after the next team load has been answered by the database and before its rows are handed back. */
  let afterNextLoad: (() => Promise<unknown>) | undefined;

  const seam = (inner: Driver): Driver => {
    const wrap = (connection: DatabaseConnection): DatabaseConnection => ({
      async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
        const result = await connection.executeQuery<R>(compiled);
        if (afterNextLoad && TEAM_LOAD.test(compiled.sql)) {
          const meanwhile = afterNextLoad;
          afterNextLoad = undefined;
          await meanwhile();
        }
        return result;
      },
      streamQuery: (compiled, chunkSize) => connection.streamQuery(compiled, chunkSize),
    });
    const wrapped = new WeakMap<DatabaseConnection, DatabaseConnection>();
    const inners = new WeakMap<DatabaseConnection, DatabaseConnection>();
    const unwrap = (c: DatabaseConnection) => inners.get(c) ?? c;
    return {
      init: () => inner.init(),
      async acquireConnection() {
        const connection = await inner.acquireConnection();
        let w = wrapped.get(connection);
        if (!w) {
          w = wrap(connection);
          wrapped.set(connection, w);
          inners.set(w, connection);
        }
        return w;
      },
      beginTransaction: (c, s) => inner.beginTransaction(unwrap(c), s),
      commitTransaction: (c) => inner.commitTransaction(unwrap(c)),
      rollbackTransaction: (c) => inner.rollbackTransaction(unwrap(c)),
      releaseConnection: (c) => inner.releaseConnection(unwrap(c)),
      destroy: () => inner.destroy(),
    };
  };

  beforeEach(async () => {
    afterNextLoad = undefined;
    db = await freshDatabase(kind, { wrapDriver: seam });
    const parsed = parseScheduleText('t.yaml', `teams:${team(0)}${team(1)}\n`);
    expect(parsed.problems).toEqual([]);
    await importSchedules(db.db, [{ source: 't.yaml', file: 't.yaml', data: parsed.data! }], { clock, defaultTimezone: 'Europe/Warsaw' });
    await planReminders(db.db, { clock });
  });
  afterEach(async () => db?.close());

  const cancel = (teamId: string) =>
    db.db
      .insertInto('meeting_exceptions')
      .values({ team_id: teamId, occurrence_date: '2027-03-30', cancelled: true, moved_to_local: null, chat_changed_at: clock.now(), file_cancelled: false, file_moved_to_local: null })
      .execute();

  async function setup() {
    const rows = (await db.db.selectFrom('deliveries').selectAll().where('kind', '=', 'reminder').orderBy('id').execute()) as DeliveryRow[];
    const of = (id: string) => rows.filter((r) => (r.payload as { teamId: string }).teamId === id);
    expect(of('t0').length).toBeGreaterThan(0);
    expect(of('t1').length).toBeGreaterThan(0);
    const renderer = deliveryRenderer(db.db, 'https://koop.example.org');
    const batch = new RenderBatch(rows);
    const render = (some: DeliveryRow[]) => Promise.all(some.map((row) => renderer({ ...row, claimed_at: clock.now() }, 'pl', batch)));
    return { of, render };
  }

  it("should not remind of a meeting cancelled while the batch's first team load was running", async () => {
    const { of, render } = await setup();
    // The cancellation commits (and this process learns its version) after the load's snapshot was taken, before its rows come back.
    afterNextLoad = () => cancel('t1');
    const messages = await render(of('t1'));
    expect(afterNextLoad).toBeUndefined();
    expect(messages).toEqual(messages.map(() => undefined));
  });

  it("should not remind of a meeting cancelled while the batch's teams were being read again after a change", async () => {
    const { of, render } = await setup();
    expect((await render(of('t0'))).every(Boolean)).toBe(true);
    // A change (a coordinator of t0 renamed): the next reminder reads the batch's teams again, and
    // t1's meeting is cancelled while that reload runs.
    await db.db.updateTable('people').set({ name: 'Nowa Koordynatorka 0' }).where('email', '=', 'k0@example.org').execute();
    afterNextLoad = () => cancel('t1');
    const messages = await render(of('t1'));
    expect(afterNextLoad).toBeUndefined();
    expect(messages).toEqual(messages.map(() => undefined));
  });
});
