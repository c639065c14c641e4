import type { KyselyPlugin } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { dataVersionWatch, registerDataVersionWatch } from '../../src/db/data-version-watch.js';
import type { DeliveryRow } from '../../src/db/tables.js';
import { RenderBatch } from '../../src/delivery/batch-context.js';
import { deliveryRenderer } from '../../src/delivery/render-delivery.js';
import { loadTeams } from '../../src/feeds/feed-data.js';
import { planReminders } from '../../src/reminders/plan-reminders.js';
import { loadReminderTeams } from '../../src/reminders/reminder-message.js';
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

  /** A renderer on a view of the database that counts the statements sent through it. */
  function countingRenderer() {
    const counter = { queries: 0 };
    const plugin: KyselyPlugin = { transformQuery: (args) => (counter.queries++, args.node), transformResult: async (args) => args.result };
    const counted = db.db.withPlugin(plugin);
    // The service's database has its data version watch (adapters/db); so has this counting view of it.
    registerDataVersionWatch(counted, dataVersionWatch(db.db));
    const render = deliveryRenderer(counted, 'https://koop.example.org');
    return { counter, render: (rows: DeliveryRow[], batch: RenderBatch) => Promise.all(rows.map((row) => render({ ...row, claimed_at: clock.now() }, 'pl', batch))) };
  }

  /** Renders `rows` as one claimed batch, counting the statements it sends. */
  async function renderBatch(rows: DeliveryRow[]) {
    const { counter, render } = countingRenderer();
    const messages = await render(rows, new RenderBatch(rows));
    return { messages, queries: counter.queries };
  }

  it('should load the teams of a batch at once, whatever their number, and show each its own', async () => {
    const one = await renderBatch(await reminders(1));
    const all = await renderBatch(await reminders(TEAMS));
    expect(one.messages.filter(Boolean).length).toBe(3);
    expect(all.queries).toBe(one.queries);
    // The teams with their series, exceptions and coordinators in one statement (three before),
    // the members' answers and memberships in two (participation/reminder-answers.ts).
    expect(all.queries).toBe(3);
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

  it('should read the teams of the batch again in one statement when its reminders are rendered after the data changed', async () => {
    const rows = await reminders(TEAMS);
    const teamOf = (row: DeliveryRow) => Number((row.payload as { teamId: string }).teamId.slice(1));
    const { counter, render } = countingRenderer();
    const batch = new RenderBatch(rows);
    expect((await render(rows.filter((r) => teamOf(r) === 0), batch)).every(Boolean)).toBe(true);
    expect(counter.queries).toBe(3);
    // A coordinator of t6 renamed after the batch's first reminder went: the version changed, so
    // the batch's teams (one statement, one per team before) and its members' answers (two, as at
    // the batch's first reminder) are read again, as they are now.
    await db.db.updateTable('people').set({ name: 'Nowa Koordynatorka 6' }).where('email', '=', 'k6@example.org').execute();
    counter.queries = 0;
    const later = rows.filter((r) => teamOf(r) !== 0);
    const messages = await render(later, batch);
    expect(counter.queries).toBe(3);
    for (const [index, row] of later.entries()) {
      const team = teamOf(row);
      if (team % 3 === 1) expect(messages[index], `team ${team}`).toBeUndefined();
      else expect(messages[index]?.title, `team ${team}`).toBe(`Przypomnienie: spotkanie zespołu PZK ${team} za 29 dni`);
      if (team === 6) expect(messages[index]?.fields).toContainEqual({ label: 'Nieobecność proszę zgłosić', value: 'Nowa Koordynatorka 6 (k6@example.org), Druga 6 (d6@example.org)' });
    }
  });

  it('should load what the teams were loaded as before: the same rows, Dates, exceptions and coordinators in order', async () => {
    // t0: two exceptions, inserted out of date order; t2: a moved meeting.
    await db.db
      .insertInto('meeting_exceptions')
      .values([
        { team_id: 't0', occurrence_date: '2027-04-06', cancelled: false, moved_to_local: '2027-04-07T10:00', chat_changed_at: null, file_cancelled: null, file_moved_to_local: null },
        { team_id: 't0', occurrence_date: '2027-03-23', cancelled: true, moved_to_local: null, chat_changed_at: null, file_cancelled: null, file_moved_to_local: null },
        { team_id: 't2', occurrence_date: '2027-03-30', cancelled: false, moved_to_local: '2027-03-31T09:00', chat_changed_at: null, file_cancelled: null, file_moved_to_local: null },
      ])
      .execute();
    await db.db.updateTable('teams').set({ removed_at: clock.now() }).where('id', '=', 't5').execute();
    const rows = await reminders(TEAMS);
    const loaded = await loadReminderTeams(db.db, rows);
    const ids = [...new Set(rows.map((r) => (r.payload as { teamId: string }).teamId))];
    const teams = await loadTeams(db.db, ids);
    expect(teams.length).toBe(TEAMS - 1);
    expect([...loaded.teams.values()]).toEqual(teams);
    expect([...loaded.teams.keys()]).toEqual(teams.map((t) => t.team.id));
    expect(loaded.teams.get('t0')!.team.created_at).toBeInstanceOf(Date);
    expect(loaded.teams.get('t0')!.series.updated_at).toBeInstanceOf(Date);
    expect(loaded.teams.get('t0')!.meetings.exceptions.map((e) => e.date)).toEqual(['2027-03-23', '2027-04-06']);
    expect(loaded.teams.get('t2')!.meetings.exceptions).toEqual([{ date: '2027-03-30', cancelled: false, movedToLocal: '2027-03-31T09:00' }]);
    const coordinators = await db.db
      .selectFrom('memberships')
      .innerJoin('people', 'people.id', 'memberships.person_id')
      .select(['memberships.team_id', 'people.name', 'people.email'])
      .where('memberships.team_id', 'in', ids)
      .where('memberships.role', '=', 'coordinator')
      .where('memberships.removed_at', 'is', null)
      .orderBy('memberships.team_id')
      .orderBy('memberships.person_id')
      .execute();
    const expected = new Map<string, { name: string; email: string }[]>();
    for (const c of coordinators) expected.set(c.team_id, [...(expected.get(c.team_id) ?? []), { name: c.name, email: c.email }]);
    // The one difference: a removed team's coordinators are no longer read (its reminders say nothing).
    expect(expected.has('t5')).toBe(true);
    expected.delete('t5');
    expect(new Map([...loaded.coordinators].sort(([a], [b]) => a.localeCompare(b)))).toEqual(expected);
    expect(loaded.coordinators.get('t0')).toEqual([
      { name: 'Koordynatorka 0', email: 'k0@example.org' },
      { name: 'Druga 0', email: 'd0@example.org' },
    ]);
  });
});
