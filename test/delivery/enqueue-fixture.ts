import type { Db } from '../../src/db/db.port.js';
import type { PlannedDelivery } from '../../src/delivery/outbox.js';

/** One person to queue notices for (the enqueue tests). */
export async function addPerson(db: Db): Promise<number> {
  return (await db.db.insertInto('people').values({ email: 'a@example.org', name: 'A', language: 'pl', channels: JSON.stringify(['email']), source: 'test' }).returning('id').executeTakeFirstOrThrow()).id;
}

/** A notice to `personId` under `key`, due at one fixed instant. */
export const plannedNotice = (personId: number, key: string, title = key): PlannedDelivery => ({
  key,
  kind: 'notice',
  personId,
  channels: ['email'],
  payload: { language: 'pl', title, text: 'x' },
  dueAt: new Date('2027-03-01T10:00:00Z'),
});
