import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { connect, PGLITE_SHARED_BUFFERS_MB } from '../../adapters/db/connect.js';
import { loadConfig } from '../../src/config.js';
import type { Db } from '../../src/db/db.port.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { openDatabase } from '../../src/main.js';

/**
 * PGlite's shared_buffers (issue 17): PostgreSQL's 128 MB stayed resident in the WASM memory
 * once used; the embedded database starts with PGLITE_SHARED_BUFFERS_MB (32 by default) and
 * still works as before with it, in memory and in a data folder.
 */
const sharedBuffers = async (db: Db) => (await sql<{ shared_buffers: string }>`show shared_buffers`.execute(db.db)).rows[0]!.shared_buffers;

describe('PGlite memory settings', () => {
  let db: Db | undefined;
  afterEach(async () => {
    await db?.close();
    db = undefined;
  });

  it('should start an in-memory PGlite with the small shared_buffers by default', async () => {
    db = await connect({});
    expect(PGLITE_SHARED_BUFFERS_MB).toBe(32);
    expect(await sharedBuffers(db)).toBe('32MB');
  });

  it('should start the service\'s PGlite with PGLITE_SHARED_BUFFERS_MB, migrate, and keep its data across a reopen', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'koop-pglite-memory-'));
    const config = loadConfig({ DATA_DIR: dataDir, PGLITE_SHARED_BUFFERS_MB: '24' });
    db = await openDatabase(config, 'test');
    expect(await sharedBuffers(db)).toBe('24MB');
    await migrateToLatest(db.db);
    await db.db.insertInto('teams').values({ id: 'kept', name: 'Kept', area: 'gmina', timezone: 'Europe/Warsaw', source: 't.yaml' }).execute();
    await db.close();

    db = await openDatabase(loadConfig({ DATA_DIR: dataDir }), 'test');
    expect(await sharedBuffers(db)).toBe('32MB');
    expect(await migrateToLatest(db.db)).toEqual([]);
    expect((await db.db.selectFrom('teams').select('id').execute()).map((t) => t.id)).toEqual(['kept']);
  });
});
