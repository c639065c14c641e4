import { sql, type Kysely } from 'kysely';

/**
 * A version of what invitations and activity reminders are planned from: raised at the commit
 * of every transaction that changes an activity or its audience, a team, a person, a membership,
 * a person's preferences, or adds or removes an invitation or removes an answer. The
 * 15-minute sweep (src/delivery/delivery-service.ts) reads it, and when it has not moved since
 * its last complete run, it does not look again for people to invite, updates to send or
 * deadline reminders to plan: at a national conference that look re-read a 30,000-membership
 * audience every 15 minutes and found nothing (docs/benchmarks.md, "Sixteenth session").
 * An answer does not raise it (answers are many; the sweep reads those since its last run by
 * their transaction, plan-activity-reminders.ts), nor does an offer made or lapsing.
 *
 * Raised as data_version is (migration 0018): a deferred trigger, once per transaction, at its
 * commit. Every table here also raises data_version, whose trigger sorts first by name, so a
 * transaction always takes the two rows in one order (no deadlock between two such commits).
 */
const WHOLE_ROWS = ['activities', 'activity_audience', 'teams', 'people', 'memberships', 'preferences'];

export async function up(db: Kysely<any>): Promise<void> {
  await sql`create table invitation_inputs (id integer primary key check (id = 1), version bigint not null)`.execute(db);
  await sql`insert into invitation_inputs (id, version) values (1, 0)`.execute(db);
  await sql`
    create function invitation_inputs_raise() returns trigger language plpgsql as $$
    begin
      if coalesce(current_setting('kooperator.invitation_inputs_raised', true), '') <> 'yes' then
        perform set_config('kooperator.invitation_inputs_raised', 'yes', true);
        update invitation_inputs set version = version + 1 where id = 1;
      end if;
      return null;
    end $$`.execute(db);
  for (const table of WHOLE_ROWS) {
    await sql`create constraint trigger invitation_inputs_write after insert or delete on ${sql.table(table)}
      deferrable initially deferred for each row execute function invitation_inputs_raise()`.execute(db);
    await sql`create constraint trigger invitation_inputs_change after update on ${sql.table(table)}
      deferrable initially deferred for each row when (old.* is distinct from new.*) execute function invitation_inputs_raise()`.execute(db);
  }
  // Invitations: only their coming and going (an offer made or lapsing changes a row, and that
  // is the sweep's own work, done at every run). Answers: only their removal (a person no longer
  // answered is again one a deadline reminder is for); a new or changed answer is found by its
  // transaction.
  await sql`create constraint trigger invitation_inputs_write after insert or delete on invitations
    deferrable initially deferred for each row execute function invitation_inputs_raise()`.execute(db);
  await sql`create constraint trigger invitation_inputs_write after delete on rsvps
    deferrable initially deferred for each row execute function invitation_inputs_raise()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [...WHOLE_ROWS, 'invitations', 'rsvps']) {
    await sql`drop trigger if exists invitation_inputs_write on ${sql.table(table)}`.execute(db);
    await sql`drop trigger if exists invitation_inputs_change on ${sql.table(table)}`.execute(db);
  }
  await sql`drop function invitation_inputs_raise()`.execute(db);
  await sql`drop table invitation_inputs`.execute(db);
}
