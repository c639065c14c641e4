import type { Kysely } from 'kysely';
import { dataVersionWatch } from '../db/data-version-watch.js';
import type { Database, PersonRow } from '../db/tables.js';
import { teamIdsOfPerson } from '../feeds/feed-data.js';
import type { Sender } from '../ports/channel.port.js';
import { findPerson } from './identity.js';

const MAX_ENTRIES = 50_000;

/**
 * Who is behind a platform user, and their teams, kept per data version: every command starts
 * by finding its person, and until something changes them (an import, an erasure: each raises
 * the version, src/db/data-version-watch.ts) the answer is the same, so it costs no database
 * round trip. Strangers are not kept, so a person an import adds is found on their next command.
 */
export class KnownPeople {
  private version = -1;
  private readonly people = new Map<string, Promise<PersonRow | undefined>>();
  private readonly teams = new Map<number, Promise<string[]>>();

  constructor(private readonly db: Kysely<Database>) {}

  async person(from: Sender): Promise<PersonRow | undefined> {
    if (!from.externalId) return findPerson(this.db, from);
    if (!this.synced()) await this.sync();
    // The address is in the key: a new one (a Teams conversation) is stored again by findPerson.
    const key = `${from.channel} ${from.externalId} ${from.address ?? ''}`;
    let person = this.people.get(key);
    if (!person) {
      if (this.people.size >= MAX_ENTRIES) this.people.clear();
      person = findPerson(this.db, from);
      this.people.set(key, person);
      const forget = () => this.people.get(key) === person && this.people.delete(key);
      person.then((found) => found ?? forget(), forget);
    }
    return person;
  }

  /** The teams a person is a member of now. */
  async teamsOf(personId: number): Promise<string[]> {
    if (!this.synced()) await this.sync();
    let teams = this.teams.get(personId);
    if (!teams) {
      if (this.teams.size >= MAX_ENTRIES) this.teams.clear();
      teams = teamIdsOfPerson(this.db, personId);
      this.teams.set(personId, teams);
      teams.catch(() => this.teams.get(personId) === teams && this.teams.delete(personId));
    }
    return teams;
  }

  /**
   * A lookup started after the version was seen runs after that change committed, so what it
   * finds is never older than the version it is kept under.
   */
  private async sync(): Promise<void> {
    this.use(await dataVersionWatch(this.db).current());
  }

  /** True when the version is known at once (the usual case): then no promise is awaited. */
  private synced(): boolean {
    const version = dataVersionWatch(this.db).settled();
    if (version === undefined) return false;
    this.use(version);
    return true;
  }

  private use(version: number): void {
    // An older version is a read that began before another request saw the newer one.
    if (version <= this.version) return;
    this.version = version;
    this.people.clear();
    this.teams.clear();
  }
}

const perDatabase = new WeakMap<Kysely<Database>, KnownPeople>();

/** One cache per database, shared by every adapter of the process. */
export function knownPeople(db: Kysely<Database>): KnownPeople {
  let cache = perDatabase.get(db);
  if (!cache) perDatabase.set(db, (cache = new KnownPeople(db)));
  return cache;
}
