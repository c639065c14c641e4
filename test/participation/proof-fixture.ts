import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Kysely } from 'kysely';
import type { Clock } from '../../src/clock.js';
import type { Database } from '../../src/db/tables.js';
import { createMetrics } from '../../src/http/metrics.js';
import type { Route } from '../../src/http/router.js';
import { createHttpServer } from '../../src/http/server.js';
import { createLogger } from '../../src/log.js';
import { importFixture, personId } from '../invitations/support.js';

export const SECRET = 'p'.repeat(40);
export const TEAM = 'lodz';
/** The second Tuesday of February 2027: an occurrence of every fixture team's meetings. */
export const MEETING_DAY = '2027-02-09';
export const TRAINING = 'szkolenie-lodz';
export const WORKSHOP = 'warsztaty-2027-1';

/** Names that hold every Polish letter, small and capital, between them (checked by the tests). */
export const POLISH_NAMES: Record<string, string> = {
  'lodz1@example.org': 'Ąbel Ćwikła',
  'lodz2@example.org': 'Ęryk Łoś',
  'lodz3@example.org': 'Ńina Óręb-Kończyńska',
  'lodz4@example.org': 'Śnieżka Źdźbło',
  'lodz5@example.org': 'Żaneta Gęślą-Jaźwińska',
  'lodz6@example.org': 'Zbigniew Mać-Kłódka',
};
export const POLISH_LETTERS = 'ąćęłńóśźżĄĆĘŁŃÓŚŹŻ';

/**
 * The invitation fixture (30 people in three teams, a one-day training and a two-day workshop)
 * with Polish names, at 1 February 2027. Presence is added by each test file.
 */
export async function proofFixture(db: Kysely<Database>, clock: Clock): Promise<Record<string, number>> {
  await importFixture(db, clock);
  const ids: Record<string, number> = {};
  for (const email of [...Object.keys(POLISH_NAMES), 'lodz7@example.org', 'lodz8@example.org', 'kutno5@example.org', 'jan.kowalski@example.org']) ids[email] = await personId(db, email);
  for (const [email, name] of Object.entries(POLISH_NAMES)) await db.updateTable('people').set({ name }).where('id', '=', ids[email]!).execute();
  return ids;
}

export async function mark(db: Kysely<Database>, clock: Clock, rows: { kind: 'meeting' | 'activity'; ref: string; day: string; person: number; present: boolean }[]): Promise<void> {
  await db
    .insertInto('attendance')
    .values(rows.map((r) => ({ kind: r.kind, ref_id: r.ref, day: r.day, person_id: r.person, present: r.present, method: 'staff', marked_by: null, marked_at: clock.now() })))
    .execute();
}

export async function serve(routes: Route[]): Promise<{ server: Server; base: string; close: () => Promise<void> }> {
  const server = createHttpServer({ routes, mounts: [], metrics: createMetrics(), log: createLogger('silent') });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export const bytes = async (response: Response) => Buffer.from(await response.arrayBuffer());
