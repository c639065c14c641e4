import { sql, type CompiledQuery, type DatabaseConnection, type Driver } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { IcalGeneratorRenderer } from '../../adapters/ical/ical-renderer.js';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { FeedService } from '../../src/feeds/feed-service.js';
import { dialects, freshDatabase } from '../support/databases.js';
import { ZONE } from './ical.js';

const TEAMS = 300; // more than all.ics's first page (200 teams)

/**
 * all.ics is read in keyset pages (load-feed.ts loadAllPaged), each its own statement outside any
 * transaction: a change committed by another writer between two pages (here one statement that
 * moves every team's meetings from "Sala" to "Aula", as an import would) lands in the later pages
 * only, and the feed served shows a schedule that never existed: some teams before the change,
 * some after. One statement (as before 6d0456f) or the pages in one snapshot show one version.
 */
describe.each(dialects)('all.ics read while another writer commits (%s)', (kind) => {
  let db: Db | undefined;
  afterEach(async () => db?.close());

  it('should show every team as of one data version, not half before and half after a change', async () => {
    let changing: Promise<unknown> | undefined;
    const change = () => db!.db.updateTable('meeting_series').set({ location: sql`replace(location, 'Sala', 'Aula')` }).execute();
    // Once all.ics's first read of teams has answered, another writer changes every team. On
    // PostgreSQL it commits on another pooled connection before the read goes on; on PGlite it
    // queues for the one connection and gets it as soon as the reader lets go of it.
    const afterFirstRead = (inner: Driver): Driver => {
      const originals = new WeakMap<DatabaseConnection, DatabaseConnection>();
      const original = (c: DatabaseConnection) => originals.get(c) ?? c;
      return {
        init: () => inner.init(),
        async acquireConnection() {
          const connection = await inner.acquireConnection();
          const wrapped: DatabaseConnection = {
            async executeQuery<R>(compiled: CompiledQuery) {
              const result = await connection.executeQuery<R>(compiled);
              if (!changing && /from "teams"/.test(compiled.sql) && /"activities"/.test(compiled.sql)) {
                changing = change();
                if (kind === 'postgres') await changing;
              }
              return result;
            },
            streamQuery: (compiled, chunkSize) => connection.streamQuery(compiled, chunkSize),
          };
          originals.set(wrapped, connection);
          return wrapped;
        },
        beginTransaction: (c, s) => inner.beginTransaction(original(c), s),
        commitTransaction: (c) => inner.commitTransaction(original(c)),
        rollbackTransaction: (c) => inner.rollbackTransaction(original(c)),
        releaseConnection: (c) => inner.releaseConnection(original(c)),
        destroy: () => inner.destroy(),
      };
    };
    db = await freshDatabase(kind, { wrapDriver: afterFirstRead });
    await sql`insert into teams (id, name, area, timezone, source)
      select 'team-' || lpad(i::text, 5, '0'), 'Zespół ' || i, 'gmina', 'Europe/Warsaw', 'test.yaml' from generate_series(1, ${TEAMS}::int) i`.execute(db.db);
    await sql`insert into meeting_series (team_id, rrule, starts_local, duration, location, reminders, on_holiday)
      select 'team-' || lpad(i::text, 5, '0'), 'FREQ=MONTHLY;BYDAY=2TU', '2027-01-12T18:00', 'PT2H', 'Sala ' || i, '["P1D"]'::jsonb, 'shift'
      from generate_series(1, ${TEAMS}::int) i`.execute(db.db);

    const feeds = new FeedService({ db: db.db, renderer: new IcalGeneratorRenderer(ZONE), clock: new FixedClock('2027-01-01T06:00:00Z') });
    const places = (body: Buffer) => [...body.toString('utf8').matchAll(/^LOCATION:(Sala|Aula) \d+\r?$/gm)].map((m) => m[1]);
    const first = places((await feeds.all()).body);
    await changing;
    expect(first).toHaveLength(TEAMS);
    expect(new Set(first).size).toBe(1); // all "Sala" (before) or all "Aula" (after), never both

    // After the change, all.ics shows it everywhere (not a feed kept from a mixed read).
    expect(new Set(places((await feeds.all()).body))).toEqual(new Set(['Aula']));
  });
});
