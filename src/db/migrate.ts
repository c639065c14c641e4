import { Migrator, sql, type Kysely, type MigrationResultSet } from 'kysely';
import { migrations } from '../../migrations/index.js';
import type { Database } from './tables.js';

export class MigrationError extends Error {
  readonly code = 'MIGRATION_FAILED';
  constructor(readonly migration: string | undefined, cause: unknown) {
    super(`Migration ${migration ?? '(unknown)'} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/**
 * Applies every pending migration. On PostgreSQL Kysely holds a session advisory lock while
 * it migrates, so replicas starting together wait for each other instead of colliding.
 */
export async function migrateToLatest(db: Kysely<Database>): Promise<MigrationResultSet['results']> {
  // Name our own schema: without it Kysely takes migration tables found in *any* schema of the
  // database as ours (another app's, or a parallel test's) and fails or skips migrating.
  const { rows } = await sql<{ schema: string; ready: boolean }>`
    select current_schema() as schema, to_regclass(format('%I.kysely_migration', current_schema())) is not null as ready`.execute(db);
  // Usually every migration is there already: say so in one query instead of the Migrator's
  // catalog reads and lock (a fifth of a restart's time on the embedded database).
  if (rows[0]!.ready) {
    const applied = await sql<{ name: string }>`select name from ${sql.table(`${rows[0]!.schema}.kysely_migration`)}`.execute(db);
    const names = new Set(applied.rows.map((r) => r.name));
    if (Object.keys(migrations).every((name) => names.has(name))) return [];
  }
  const schema = rows[0]!.schema;
  for (let attempt = 1; ; attempt++) {
    const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations }, migrationTableSchema: schema });
    const { error, results } = await migrator.migrateToLatest();
    if (!error) return results;
    // Before migrating, Kysely reads the catalog of every schema in the database; one that
    // another app (or a parallel test) drops meanwhile ends that read with "schema … does not
    // exist" naming theirs, before anything of ours ran. Read again rather than fail to start.
    if (attempt < 10 && !results?.some((r) => r.status !== 'NotExecuted') && otherSchemaGone(error, schema)) continue;
    const failed = results?.find((r) => r.status === 'Error');
    throw new MigrationError(failed?.migrationName, error);
  }
}

function otherSchemaGone(error: unknown, ours: string): boolean {
  return (error as { code?: string }).code === '3F000' && error instanceof Error && !error.message.includes(`"${ours}"`);
}
