import type { KyselyPlugin } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/db.port.js';
import { enqueue, SMALL_CHUNK, type PlannedDelivery } from '../../src/delivery/outbox.js';
import { dialects, freshDatabase } from '../support/databases.js';
import { addPerson, plannedNotice } from './enqueue-fixture.js';

/**
 * `enqueue` looked up which keys were missing before every INSERT: one statement more for every
 * small enqueue (an answer's two reminders, a seat offer, a confirmation; 6,610 of them in the
 * national week). A small chunk is now the INSERT alone, ON CONFLICT leaving out keys already
 * there; a big one (a re-plan, nearly all there already) keeps the lookup. Either way the count
 * returned is of the rows actually added.
 */
describe.each(dialects)('statements of an enqueue on %s', (kind) => {
  let db: Db;
  let person: number;
  beforeEach(async () => {
    db = await freshDatabase(kind);
    person = await addPerson(db);
  });
  afterEach(async () => db?.close());

  const planned = (key: string): PlannedDelivery => plannedNotice(person, key);

  /** enqueue through a view of the database that counts the statements sent. */
  async function counted(rows: PlannedDelivery[]) {
    const counter = { queries: 0 };
    const plugin: KyselyPlugin = { transformQuery: (args) => (counter.queries++, args.node), transformResult: async (args) => args.result };
    const added = await enqueue(db.db.withPlugin(plugin), rows);
    return { added, queries: counter.queries };
  }

  const keys = async () => (await db.db.selectFrom('deliveries').select('dedupe_key').orderBy('dedupe_key').execute()).map((r) => r.dedupe_key);

  it('should insert a small enqueue in one statement and count only the rows added', async () => {
    expect(await counted([planned('a'), planned('b')])).toEqual({ added: 2, queries: 1 });
    // Keys already there, and one twice in the same call: left out, not counted.
    expect(await counted([planned('a'), planned('c'), planned('b'), planned('c')])).toEqual({ added: 1, queries: 1 });
    expect(await counted([planned('a')])).toEqual({ added: 0, queries: 1 });
    expect(await keys()).toEqual(['a', 'b', 'c']);
    const first = await db.db.selectFrom('deliveries').select(['payload', 'state']).where('dedupe_key', '=', 'a').executeTakeFirstOrThrow();
    expect(first).toEqual({ payload: { language: 'pl', title: 'a', text: 'x' }, state: 'pending' });
  });

  it('should look up the keys of a bigger chunk first, and insert none when all are there', async () => {
    const many = Array.from({ length: SMALL_CHUNK + 1 }, (_, i) => planned(`k${String(i).padStart(2, '0')}`));
    expect(await counted(many)).toEqual({ added: many.length, queries: 2 });
    // A re-plan offering them all again: the lookup alone.
    expect(await counted(many)).toEqual({ added: 0, queries: 1 });
    expect(await counted([...many, planned('new')])).toEqual({ added: 1, queries: 2 });
    expect((await keys()).length).toBe(many.length + 1);
  });
});
