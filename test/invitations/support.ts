import type { Kysely } from 'kysely';
import { afterEach, beforeEach, expect } from 'vitest';
import { FixedClock, type Clock } from '../../src/clock.js';
import type { Db, DbKind } from '../../src/db/db.port.js';
import type { Database } from '../../src/db/tables.js';
import { planInvitations } from '../../src/invitations/plan-invitations.js';
import { answerInvitation } from '../../src/invitations/rsvp.js';
import { changePreferences } from '../../src/preferences/change-preferences.js';
import { loadPreferences } from '../../src/preferences/preferences.js';
import { importSchedules } from '../../src/schedule/import-schedule.js';
import { loadScheduleFiles } from '../../src/schedule/load-schedule.js';
import { freshDatabase } from '../support/databases.js';

export const FIXTURE = 'test/invitations/fixtures/workshop-30.yaml';
export const WORKSHOP = 'warsztaty-2027-1';
export const TRAINING = 'szkolenie-lodz';

export async function importFixture(db: Kysely<Database>, clock: Clock, file = FIXTURE) {
  return importSchedules(db, await loadScheduleFiles([file]), { clock, defaultTimezone: 'Europe/Warsaw' });
}

/**
 * A fresh database with the fixture for each test of the describe block that calls this, and
 * a clock set back to Monday 1 February 2027, 10:00 in Warsaw, before each.
 */
export function fixtureEachTest(kind: DbKind): { clock: FixedClock; readonly db: Kysely<Database> } {
  const clock = new FixedClock('2027-02-01T09:00:00Z');
  let current: Db | undefined;
  beforeEach(async () => {
    clock.set('2027-02-01T09:00:00Z');
    current = await freshDatabase(kind);
    await importFixture(current.db, clock);
  });
  afterEach(async () => current?.close());
  return { clock, get db() { return current!.db; } };
}

export async function personId(db: Kysely<Database>, email: string): Promise<number> {
  return (await db.selectFrom('people').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;
}

/** Everyone of the fixture in a stable order: lodz1…lodz10, lowicz1…, kutno1…. */
export const everyone = ['lodz', 'lowicz', 'kutno'].flatMap((t) => Array.from({ length: 10 }, (_, i) => `${t}${i + 1}@example.org`));

/**
 * The workshop full with two waiting: invitations planned, then the first 26 of `everyone`
 * accept a minute apart; the 24 seats go to the first 24, and the two it answers are the
 * waiting list in order.
 */
export async function fullWithTwoWaiting(db: Kysely<Database>, clock: FixedClock): Promise<[string, string]> {
  await planInvitations(db, clock);
  for (const email of everyone.slice(0, 26)) {
    clock.advance(60_000);
    await answerInvitation(db, clock, { activityId: WORKSHOP, personId: await personId(db, email), answer: 'accepted' });
  }
  return [everyone[24]!, everyone[25]!];
}

export async function answers(db: Kysely<Database>, activityId = WORKSHOP): Promise<Record<string, number>> {
  const rows = await db.selectFrom('rsvps').select(['answer', db.fn.countAll<number>().as('n')]).where('activity_id', '=', activityId).groupBy('answer').execute();
  return Object.fromEntries(rows.map((r) => [r.answer, Number(r.n)]));
}

/** A change of quiet hours, as both the chat command and the personal page make it. */
export async function setQuiet(db: Kysely<Database>, clock: Clock, email: string, from: number, to: number): Promise<void> {
  const id = await personId(db, email);
  const current = await loadPreferences(db, id);
  await changePreferences(db, id, current, { ...current, quiet: { from, to } }, clock);
}

/** Distinct due times of the pending rows whose key starts so, for one person; next_attempt_at always follows. */
export async function pendingDueTimes(db: Kysely<Database>, keyPrefix: string, email: string): Promise<string[]> {
  const rows = await db
    .selectFrom('deliveries')
    .innerJoin('people', 'people.id', 'deliveries.person_id')
    .select(['deliveries.due_at', 'deliveries.next_attempt_at'])
    .where('people.email', '=', email)
    .where('deliveries.state', '=', 'pending')
    .where('deliveries.dedupe_key', 'like', `${keyPrefix}%`)
    .execute();
  for (const r of rows) expect(r.next_attempt_at).toEqual(r.due_at);
  return [...new Set(rows.map((r) => r.due_at.toISOString()))].sort();
}
