import { sql, type Kysely } from 'kysely';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { connect } from '../../adapters/db/connect.js';
import { currentDataVersion, dataVersionWatch } from '../../src/db/data-version-watch.js';
import { readDataVersion } from '../../src/db/data-version.js';
import type { Db } from '../../src/db/db.port.js';
import type { Database } from '../../src/db/tables.js';
import { until } from '../process/service-process.js';
import { dropSchemaGuarded, migrateGuarded } from './databases.js';
import { startListenProxy, type ListenProxy } from './listen-proxy.js';

/**
 * Two replicas on one PostgreSQL schema (TEST_DATABASE_URL), for the suites about what a replica
 * serves before another's notification arrives: `own` reaches the server through a listen proxy,
 * so the test can hold back its notifications; `other` connects directly. Call it inside a
 * describe: its beforeAll makes the schema (migrated, then `seed` on `own`), afterEach releases
 * what the proxy held, afterAll drops it all (after the suite's own afterAll: hooks unwind).
 */
export function replicasBehindListenProxy(options: { schema: string; seed: (db: Kysely<Database>) => Promise<unknown> }) {
  let admin: Db;
  let own: Db;
  let other: Db;
  let proxy: ListenProxy;
  const { schema } = options;
  beforeAll(async () => {
    const url = process.env.TEST_DATABASE_URL!;
    const target = new URL(url);
    proxy = await startListenProxy({ host: target.hostname, port: Number(target.port || 5432) });
    admin = await connect({ databaseUrl: url, poolSize: 1 });
    await dropSchemaGuarded(admin, schema);
    await sql`create schema ${sql.id(schema)}`.execute(admin.db);
    own = await connect({ databaseUrl: proxy.url(url), schema, poolSize: 3 });
    await migrateGuarded(admin, own);
    await options.seed(own.db);
    other = await connect({ databaseUrl: url, schema, poolSize: 2 });
  }, 120_000);
  afterEach(() => proxy.release());
  afterAll(async () => {
    await other?.close();
    await own?.close();
    if (admin) await dropSchemaGuarded(admin, schema);
    await admin?.close();
    await proxy?.close();
  });
  return {
    /** This replica: through the proxy, so its notifications can be held back. */
    get own() {
      return own;
    },
    /** The other replica: its own connections to the same schema. */
    get other() {
      return other;
    },
    get proxy() {
      return proxy;
    },
    /** Waits until this replica knows the data version the other reads (so it answers from memory); returns it. */
    async settled(): Promise<number> {
      const watch = dataVersionWatch(own.db);
      await currentDataVersion(own.db);
      const version = await readDataVersion(other.db);
      await until(() => watch.settled() === version, 5000, 'this replica knows the version');
      return version;
    },
  };
}
