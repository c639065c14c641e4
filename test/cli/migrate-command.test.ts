import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { connect } from '../../adapters/db/connect.js';
import { migrateCommand } from '../../src/cli/commands.js';
import { loadConfig } from '../../src/config.js';
import { migrations } from '../../migrations/index.js';
import { dialects, dropSchemaGuarded, withSchemaGuard } from '../support/databases.js';

const names = Object.keys(migrations);

/** A database of the kind with nothing in it: an empty data folder, or an empty schema named in DATABASE_URL. */
async function emptyDatabase(kind: string): Promise<{ env: Record<string, string>; drop: () => Promise<void> }> {
  if (kind === 'pglite') {
    const dir = await mkdtemp(join(tmpdir(), 'kooperator-migrate-'));
    return { env: { DATA_DIR: dir }, drop: () => rm(dir, { recursive: true, force: true }) };
  }
  const url = new URL(process.env.TEST_DATABASE_URL!);
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = await connect({ databaseUrl: url.href, poolSize: 1 });
  await sql`create schema ${sql.id(schema)}`.execute(admin.db);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return { env: { DATABASE_URL: url.href }, drop: async () => (await dropSchemaGuarded(admin, schema), await admin.close()) };
}

describe.each(dialects)('migrate on %s', (kind) => {
  it('should name every migration it applied, and say "up to date" only when it applied none', { timeout: 60_000 }, async () => {
    const { env, drop } = await emptyDatabase(kind);
    try {
      const config = loadConfig(env);
      const lines: string[] = [];
      const admin = kind === 'postgres' ? await connect({ databaseUrl: process.env.TEST_DATABASE_URL!, poolSize: 1 }) : undefined;
      const guarded = (work: () => Promise<void>) => (admin ? withSchemaGuard(admin, work) : work());
      await guarded(() => migrateCommand(config, (line) => lines.push(line)));
      await guarded(() => migrateCommand(config, (line) => lines.push(line)));
      await admin?.close();
      expect(lines[0]).toBe(`Applied ${names.length} migrations: ${names.join(', ')}.`);
      expect(lines[1]).toBe(`Database is up to date: all ${names.length} migrations were applied before; nothing to do.`);
    } finally {
      await drop();
    }
  });
});
