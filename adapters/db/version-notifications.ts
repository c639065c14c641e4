import type { PGlite } from '@electric-sql/pglite';
import { sql, type Kysely } from 'kysely';
import type pgModule from 'pg';
import type { VersionNotifications } from '../../src/db/data-version-watch.js';
import type { Database } from '../../src/db/tables.js';

const CHANNEL = 'data_version';

/**
 * Where the listener stands: its schema (payloads name theirs, migration 0008), whether the
 * trigger exists yet, then the version. Asked after LISTEN, so nothing committed in between is missed.
 */
const WHERE_AM_I = `select current_schema() as schema,
  exists(select 1 from pg_trigger where tgname = 'data_version_notify' and tgrelid = to_regclass('data_version')) as ready`;
const VERSION = 'select version from data_version where id = 1';
type WhereAmI = { schema: string; ready: boolean };

function versionOf(payload: string | undefined, schema: string): number | undefined {
  const [from, version] = (payload ?? '').split(' ');
  return from === schema && version ? Number(version) : undefined;
}

function checked(row: WhereAmI | undefined): string {
  // Before the migration nothing would ever be reported: not listening is better than trusting silence.
  if (!row?.ready) throw new Error('data_version has no notify trigger yet (migrations not applied)');
  return row.schema;
}

/** PostgreSQL: one dedicated connection that LISTENs (a pooled one would be handed back). */
export function pgNotifications(pg: typeof pgModule, config: pgModule.ClientConfig): VersionNotifications & { close(): Promise<void> } {
  let client: pgModule.Client | undefined;
  let closed = false;
  return {
    async listen(onVersion, onLost) {
      if (closed) throw new Error('closed');
      const c = new pg.Client(config);
      let gone = false;
      const lose = (error: unknown) => {
        if (gone) return;
        gone = true;
        if (client === c) client = undefined;
        c.end().catch(() => undefined);
        onLost(error);
      };
      c.on('error', lose);
      c.on('end', () => lose(new Error('the listening connection ended')));
      let current: number;
      try {
        await c.connect();
        await c.query(`listen ${CHANNEL}`);
        const schema = checked((await c.query<WhereAmI>(WHERE_AM_I)).rows[0]);
        c.on('notification', (n) => {
          const version = n.channel === CHANNEL ? versionOf(n.payload, schema) : undefined;
          if (version !== undefined) onVersion(version);
        });
        current = Number((await c.query<{ version: string }>(VERSION)).rows[0]!.version);
      } catch (error) {
        gone = true;
        await c.end().catch(() => undefined);
        throw error;
      }
      if (closed) {
        await c.end();
        throw new Error('closed');
      }
      client = c;
      return current;
    },
    async close() {
      closed = true;
      await client?.end().catch(() => undefined);
    },
  };
}

/**
 * PGlite: notifications arrive while the COMMIT that raised the version is answered. LISTEN
 * goes through Kysely, under the dialect's lock, so it never lands inside someone's open
 * transaction (where a rollback would undo it).
 */
export function pgliteNotifications(pglite: PGlite, db: () => Kysely<Database>): VersionNotifications {
  return {
    async listen(onVersion) {
      await sql.raw(`listen ${CHANNEL}`).execute(db());
      const schema = checked((await sql<WhereAmI>`${sql.raw(WHERE_AM_I)}`.execute(db())).rows[0]);
      pglite.onNotification((channel, payload) => {
        const version = channel === CHANNEL ? versionOf(payload, schema) : undefined;
        if (version !== undefined) onVersion(version);
      });
      return Number((await sql<{ version: string }>`${sql.raw(VERSION)}`.execute(db())).rows[0]!.version);
    },
  };
}
