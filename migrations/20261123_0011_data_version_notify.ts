import { sql, type Kysely } from 'kysely';

/**
 * Every raise of data_version is announced on the `data_version` channel (LISTEN/NOTIFY), with
 * the schema and the new version as payload, so that every process keeping things per data
 * version (src/db/data-version-watch.ts) learns of a change when it commits, without asking
 * the database on every request. The schema is in the payload because channels are
 * per database, and several schemas (tests, benchmarks) may share one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create function data_version_notify() returns trigger language plpgsql as $$
    begin
      perform pg_notify('data_version', tg_table_schema || ' ' || new.version);
      return new;
    end $$`.execute(db);
  await sql`create trigger data_version_notify after update on data_version for each row execute function data_version_notify()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger data_version_notify on data_version`.execute(db);
  await sql`drop function data_version_notify()`.execute(db);
}
