import { sql, type Kysely } from 'kysely';
import type { Database } from '../../src/db/tables.js';

/**
 * Every row of every table of the database (its current schema), as one comparable value:
 * a failed attempt must leave it exactly as it was. Rows are ordered by their text form.
 */
export async function databaseDigest(db: Kysely<Database>): Promise<Record<string, string[]>> {
  const tables = await sql<{ name: string }>`
    select table_name as name from information_schema.tables
    where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name`.execute(db);
  const digest: Record<string, string[]> = {};
  for (const { name } of tables.rows) {
    const rows = await sql<{ row: string }>`select t::text as row from ${sql.table(name)} t order by 1`.execute(db);
    digest[name] = rows.rows.map((r) => r.row);
  }
  return digest;
}
