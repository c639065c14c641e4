import { sql, type Kysely } from 'kysely';

/**
 * Tables whose content a feed, a page or an answer kept in memory may show. Every change of
 * them raises data_version by a trigger, so no write path (an RSVP in chat, an activity made
 * in chat, one written tomorrow) can forget to, and other replicas hear of it by the NOTIFY of
 * migration 0011. The list is frozen here like the rest of a migration; a later table is
 * added by its own migration, and test/db/data-version-triggers.test.ts fails until it is
 * either listed there as not shown or given the trigger (src/db/data-version-tables.ts).
 */
const SHOWN = [
  'teams', 'people', 'memberships', 'meeting_series', 'meeting_exceptions', 'activities', 'activity_audience',
  'rsvps', 'invitations', 'feed_tokens', 'preferences', 'status_updates',
  'problem_reports', 'report_events', 'announcements', 'erasures', 'service_settings',
];

export async function up(db: Kysely<any>): Promise<void> {
  // Personal links (src/me/personal-links.ts): a random token shown to its owner, stored as its
  // SHA-256; the nonce lets the service show the link again (the token is HMAC(APP_SECRET, nonce)).
  await db.schema
    .createTable('personal_links')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('person_id', 'integer', (c) => c.notNull().references('people.id').onDelete('cascade'))
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('used_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('personal_links_person').on('personal_links').columns(['person_id', 'purpose']).execute();
  // Raised once per transaction, at its commit: a deferred trigger takes the data_version row
  // lock last, so it never waits while holding another lock (no deadlock with row locks such
  // as an activity's), and a transaction of 5,000 rows raises the version once.
  await sql`
    create function data_version_raise() returns trigger language plpgsql as $$
    begin
      if coalesce(current_setting('kooperator.data_version_raised', true), '') <> 'yes' then
        perform set_config('kooperator.data_version_raised', 'yes', true);
        update data_version set version = version + 1 where id = 1;
      end if;
      return null;
    end $$`.execute(db);
  for (const table of SHOWN) {
    await sql`create constraint trigger data_version_write after insert or delete on ${sql.table(table)}
      deferrable initially deferred for each row execute function data_version_raise()`.execute(db);
    // An UPDATE that changes nothing (a re-import of the same file) raises nothing.
    await sql`create constraint trigger data_version_change after update on ${sql.table(table)}
      deferrable initially deferred for each row when (old.* is distinct from new.*) execute function data_version_raise()`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of SHOWN) {
    await sql`drop trigger data_version_write on ${sql.table(table)}`.execute(db);
    await sql`drop trigger data_version_change on ${sql.table(table)}`.execute(db);
  }
  await sql`drop function data_version_raise()`.execute(db);
  await db.schema.dropTable('personal_links').execute();
}
