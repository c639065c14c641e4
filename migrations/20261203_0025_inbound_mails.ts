import type { Kysely } from 'kysely';

/**
 * `inbound_mails`: every mail the inbound transports handed over, once (by its Message-ID, or a
 * hash of the mail when it has none), with what it was taken for and what was done. It is
 * written in the same transaction as the answer, comment or forward the mail caused, so a mail
 * offered again after a crash is either recorded whole (a duplicate) or not at all (processed
 * anew). No content is kept: the mail's words live on only where they were recorded or sent.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('inbound_mails')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('message_key', 'text', (c) => c.notNull().unique())
    .addColumn('transport', 'text', (c) => c.notNull())
    .addColumn('classified_as', 'text', (c) => c.notNull())
    .addColumn('person_id', 'integer', (c) => c.references('people.id').onDelete('set null'))
    .addColumn('delivery_id', 'bigint')
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('inbound_mails_person').on('inbound_mails').column('person_id').execute();
  await db.schema.createIndex('inbound_mails_received').on('inbound_mails').column('received_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('inbound_mails').execute();
}
