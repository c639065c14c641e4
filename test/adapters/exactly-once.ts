import type { Db } from '../../src/db/db.port.js';

/** Rows that one handled delivery leaves: the changes people make from a chat, and the messages they cause. */
export async function storedRows(db: Db): Promise<Record<string, number>> {
  const count = async (table: 'problem_reports' | 'rsvps' | 'deliveries') =>
    Number((await db.db.selectFrom(table).select(db.db.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  return { problemReports: await count('problem_reports'), rsvps: await count('rsvps'), deliveries: await count('deliveries') };
}

/** Retries an assertion until it holds or time is up: answers go out after the platform's ack. */
export async function eventually(assertion: () => Promise<void> | void, ms = 3000): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      return await assertion();
    } catch (error) {
      if (Date.now() > until) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

export const settle = (ms = 150) => new Promise((resolve) => setTimeout(resolve, ms));
