import type { KyselyPlugin } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { dataVersionWatch, registerDataVersionWatch } from '../../src/db/data-version-watch.js';
import type { DeliveryRow } from '../../src/db/tables.js';
import { RenderBatch } from '../../src/delivery/batch-context.js';
import { deliveryRenderer } from '../../src/delivery/render-delivery.js';
import { planReminders } from '../../src/reminders/plan-reminders.js';
import { importSchedules } from '../../src/schedule/import-schedule.js';
import { parseScheduleText } from '../../src/schedule/load-schedule.js';
import { dialects, freshDatabase } from '../support/databases.js';

/**
 * A claimed batch of a lump holds the reminders of many teams. Their shared part (team, time,
 * place, coordinators) used to load each team on its own, three statements a team: two thirds of
 * the national week's reminder statements. Now the batch's teams load together; each message
 * still shows its own team, time, place and coordinators.
 */
const TEAMS = 12;

function schedule(): string {
  const teams = Array.from({ length: TEAMS }, (_, i) => `
  - id: t${i}
    name: PZK ${i}
    area: gmina
    meetings:
      rrule: FREQ=WEEKLY;BYDAY=TU;COUNT=1
      starts: 2027-03-30T${String(8 + (i % 8)).padStart(2, '0')}:00
      duration: PT2H
      location: Sala ${i}
      reminders: [P7D]
    members:
      - { name: Koordynatorka ${i}, email: k${i}@example.org, role: coordinator }
${i % 2 === 0 ? `      - { name: Druga ${i}, email: d${i}@example.org, role: coordinator }\n` : ''}      - { name: Członek ${i}, email: c${i}@example.org }`);
  return `teams:${teams.join('')}\n`;
}

describe.each(dialects)('rendering a batch of meeting reminders on %s', (kind) => {
  let db: Db;
  const clock = new FixedClock('2027-03-01T00:00:00Z');
  beforeEach(async () => {
    db = await freshDatabase(kind);
    const parsed = parseScheduleText('t.yaml', schedule());
    expect(parsed.problems).toEqual([]);
    await importSchedules(db.db, [{ source: 't.yaml', file: 't.yaml', data: parsed.data! }], { clock, defaultTimezone: 'Europe/Warsaw' });
    await planReminders(db.db, { clock });
    // Cancelled after the reminders were planned, as in chat: their rows wait, and say nothing when sent.
    const cancelled = Array.from({ length: TEAMS }, (_, i) => i).filter((i) => i % 3 === 1);
    await db.db.insertInto('meeting_exceptions').values(cancelled.map((i) => ({ team_id: `t${i}`, occurrence_date: '2027-03-30', cancelled: true, moved_to_local: null, chat_changed_at: clock.now(), file_cancelled: false, file_moved_to_local: null }))).execute();
  });
  afterEach(async () => db?.close());

  const reminders = async (teams: number) =>
    (await db.db.selectFrom('deliveries').selectAll().where('kind', '=', 'reminder').orderBy('id').execute()).filter(
      (r) => Number((r.payload as { teamId: string }).teamId.slice(1)) < teams,
    ) as DeliveryRow[];

  /** Renders `rows` as one claimed batch, counting the statements it sends. */
  async function renderBatch(rows: DeliveryRow[]) {
    const counter = { queries: 0 };
    const plugin: KyselyPlugin = { transformQuery: (args) => (counter.queries++, args.node), transformResult: async (args) => args.result };
    const counted = db.db.withPlugin(plugin);
    // The service's database has its data version watch (adapters/db); so has this counting view of it.
    registerDataVersionWatch(counted, dataVersionWatch(db.db));
    const render = deliveryRenderer(counted, 'https://koop.example.org');
    const batch = new RenderBatch(rows);
    const messages = await Promise.all(rows.map((row) => render({ ...row, claimed_at: clock.now() }, 'pl', batch)));
    return { messages, queries: counter.queries };
  }

  it('should load the teams of a batch at once, whatever their number, and show each its own', async () => {
    const one = await renderBatch(await reminders(1));
    const all = await renderBatch(await reminders(TEAMS));
    expect(one.messages.filter(Boolean).length).toBe(3);
    expect(all.queries).toBe(one.queries);
    const rows = await reminders(TEAMS);
    expect(rows.length).toBe(TEAMS * 2 + TEAMS / 2);
    for (const [index, row] of rows.entries()) {
      const team = Number((row.payload as { teamId: string }).teamId.slice(1));
      const message = all.messages[index];
      // A cancelled meeting's reminders say nothing (the meeting is gone), in a batch as alone.
      if (team % 3 === 1) {
        expect(message, `team ${team}`).toBeUndefined();
        continue;
      }
      expect(message?.title).toBe(`Przypomnienie: spotkanie zespołu PZK ${team} za 29 dni`);
      expect(message?.fields).toContainEqual({ label: 'Gdzie', value: `Sala ${team}` });
      const contact = team % 2 === 0 ? `Koordynatorka ${team} (k${team}@example.org), Druga ${team} (d${team}@example.org)` : `Koordynatorka ${team} (k${team}@example.org)`;
      expect(message?.fields).toContainEqual({ label: 'Nieobecność proszę zgłosić', value: contact });
      expect(message?.fields).toContainEqual({ label: 'Kiedy', value: `wtorek, 30 marca 2027, ${String(8 + (team % 8)).padStart(2, '0')}:00` });
    }
  });
});
