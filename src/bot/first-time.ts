import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../db/tables.js';

/**
 * Records a platform event key; true only the first time, across replicas (primary key).
 * Called in the transaction of the change the event causes (see once()), a second delivery's
 * insert waits on the key until the first commits (then finds it taken) or rolls back (then takes it).
 */
export async function firstTime(db: Kysely<Database>, key: string): Promise<boolean> {
  const inserted = await db.insertInto('processed_events').values({ key }).onConflict((oc) => oc.column('key').doNothing()).executeTakeFirst();
  return Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** True when the key was recorded: an event whose handling committed. */
export async function seenBefore(db: Kysely<Database>, key: string): Promise<boolean> {
  return Boolean(await db.selectFrom('processed_events').select('key').where('key', '=', key).executeTakeFirst());
}

/**
 * Runs work once per key: the key is taken in the same transaction as the work's changes and
 * their outbox rows, so a failure (or a crash) before the commit leaves neither, and the
 * platform's retry is handled as if it came first. undefined: the key was handled before.
 */
export function once<T>(db: Kysely<Database>, key: string, work: (trx: Kysely<Database>) => Promise<T>): Promise<T | undefined> {
  return db.transaction().execute(async (trx) => ((await firstTime(trx, key)) ? work(joinable(trx)) : undefined));
}

/**
 * The transaction as a database whose own transaction() is a savepoint in it: the use cases the
 * bot calls open their transactions, and a part that fails (e.g. a refused change) is undone
 * alone, as its own transaction was, while the key and the rest commit or roll back together.
 */
function joinable(trx: Transaction<Database>): Kysely<Database> {
  let parts = 0;
  const nested = {
    setIsolationLevel: () => nested,
    setAccessMode: () => nested,
    execute: async <R>(work: (inner: Kysely<Database>) => Promise<R>): Promise<R> => {
      const savepoint = sql.id(`part_${++parts}`);
      await sql`savepoint ${savepoint}`.execute(trx);
      try {
        const result = await work(joined);
        await sql`release savepoint ${savepoint}`.execute(trx);
        return result;
      } catch (error) {
        await sql`rollback to savepoint ${savepoint}`.execute(trx);
        throw error;
      }
    },
  };
  // Kysely keeps its state in private fields: its methods are called on the transaction itself
  // (only methods: a getter's value such as `fn` is a function with properties of its own).
  const joined = new Proxy(trx, {
    get(target, property) {
      if (property === 'transaction') return () => nested;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' && isMethod(target, property) ? value.bind(target) : value;
    },
  }) as Kysely<Database>;
  return joined;
}

function isMethod(object: object, property: string | symbol): boolean {
  for (let proto = Object.getPrototypeOf(object) as object | null; proto; proto = Object.getPrototypeOf(proto) as object | null) {
    const descriptor = Object.getOwnPropertyDescriptor(proto, property);
    if (descriptor) return 'value' in descriptor;
  }
  return false;
}
