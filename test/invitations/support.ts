import type { Kysely } from 'kysely';
import type { Clock } from '../../src/clock.js';
import type { Database } from '../../src/db/tables.js';
import { importSchedules } from '../../src/schedule/import-schedule.js';
import { loadScheduleFiles } from '../../src/schedule/load-schedule.js';

export const FIXTURE = 'test/invitations/fixtures/workshop-30.yaml';
export const WORKSHOP = 'warsztaty-2027-1';

export async function importFixture(db: Kysely<Database>, clock: Clock, file = FIXTURE) {
  return importSchedules(db, await loadScheduleFiles([file]), { clock, defaultTimezone: 'Europe/Warsaw' });
}

export async function personId(db: Kysely<Database>, email: string): Promise<number> {
  return (await db.selectFrom('people').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;
}

/** Everyone of the fixture in a stable order: lodz1…lodz10, lowicz1…, kutno1…. */
export const everyone = ['lodz', 'lowicz', 'kutno'].flatMap((t) => Array.from({ length: 10 }, (_, i) => `${t}${i + 1}@example.org`));

export async function answers(db: Kysely<Database>, activityId = WORKSHOP): Promise<Record<string, number>> {
  const rows = await db.selectFrom('rsvps').select(['answer', db.fn.countAll<number>().as('n')]).where('activity_id', '=', activityId).groupBy('answer').execute();
  return Object.fromEntries(rows.map((r) => [r.answer, Number(r.n)]));
}
