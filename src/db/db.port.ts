import { sql, type Kysely } from 'kysely';
import type { Database } from './tables.js';

export type DbKind = 'pglite' | 'postgres';

/** An open database: the core only ever sees Kysely, never the driver behind it. */
export interface Db {
  readonly kind: DbKind;
  readonly db: Kysely<Database>;
  close(): Promise<void>;
}

/** True when the database answers within the time limit (health checks). */
export async function isReachable(db: Kysely<Database>, timeoutMs = 2000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
  try {
    return await Promise.race([sql`select 1`.execute(db).then(() => true), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
