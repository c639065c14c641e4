import type { Kysely } from 'kysely';
import type { Database, PersonRow } from '../db/tables.js';
import type { Sender } from '../ports/channel.port.js';

/**
 * Finds the person behind a platform user: first by a stored link, then by the e-mail the
 * platform reports. Someone on no team gets undefined and nothing is stored about them.
 */
export async function findPerson(db: Kysely<Database>, from: Sender): Promise<PersonRow | undefined> {
  if (from.externalId) {
    const linked = await db
      .selectFrom('person_channels')
      .innerJoin('people', 'people.id', 'person_channels.person_id')
      .selectAll('people')
      .select('person_channels.address as linked_address')
      .where('person_channels.channel', '=', from.channel)
      .where('person_channels.external_id', '=', from.externalId)
      .where('people.removed_at', 'is', null)
      .executeTakeFirst();
    if (linked) {
      const { linked_address, ...person } = linked;
      if (from.address && from.address !== linked_address) await linkPerson(db, person.id, from.channel, from.externalId, from.address);
      return person;
    }
  }
  if (!from.email) return undefined;
  const person = await db
    .selectFrom('people')
    .selectAll()
    .where('email', '=', from.email.trim().toLowerCase())
    .where('removed_at', 'is', null)
    .executeTakeFirst();
  // Only a known person's platform link is kept; a stranger leaves no trace.
  if (person && from.externalId) await linkPerson(db, person.id, from.channel, from.externalId, from.address ?? from.externalId);
  return person;
}

/** Remembers how to reach a known person on a platform (replaces an older link on that platform). */
export async function linkPerson(db: Kysely<Database>, personId: number, channel: Sender['channel'], externalId: string, address: string): Promise<void> {
  await db
    .insertInto('person_channels')
    .values({ person_id: personId, channel, external_id: externalId, address })
    .onConflict((oc) => oc.columns(['person_id', 'channel']).doUpdateSet({ external_id: externalId, address }))
    .execute();
}

/** The teams a person coordinates now. */
export async function teamsCoordinatedBy(db: Kysely<Database>, personId: number): Promise<string[]> {
  const rows = await db
    .selectFrom('memberships')
    .select('team_id')
    .where('person_id', '=', personId)
    .where('role', '=', 'coordinator')
    .where('removed_at', 'is', null)
    .execute();
  return rows.map((r) => r.team_id);
}

/** Whether a person coordinates the team now (not removed, role coordinator): checked again whenever acting as one. */
export async function coordinates(db: Kysely<Database>, personId: number, teamId: string): Promise<boolean> {
  const row = await db
    .selectFrom('memberships')
    .select('person_id')
    .where('team_id', '=', teamId)
    .where('person_id', '=', personId)
    .where('role', '=', 'coordinator')
    .where('removed_at', 'is', null)
    .executeTakeFirst();
  return row !== undefined;
}

/** Who to send people to when the bot does not know them. */
export async function contactForStrangers(db: Kysely<Database>): Promise<string | undefined> {
  const staff = await db
    .selectFrom('people')
    .select('email')
    .where('staff_role', '=', 'rcps')
    .where('removed_at', 'is', null)
    .orderBy('id')
    .executeTakeFirst();
  return staff?.email;
}
