/**
 * Fresh, migrated databases for the benchmarks: the idea of test/support/databases.ts (an
 * in-memory PGlite; a PostgreSQL schema of its own, dropped afterwards), not its code.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { connect } from '../adapters/db/connect.js';
import type { Db } from '../src/db/db.port.js';
import { migrateToLatest } from '../src/db/migrate.js';

export const DEFAULT_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** A fresh in-memory PGlite with every migration applied. */
export async function freshPglite(): Promise<Db> {
  const db = await connect({});
  try {
    await migrateToLatest(db.db);
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}

/** Which PostgreSQL to use, or why none: BENCH_DATABASE_URL, TEST_DATABASE_URL, else the local one if it answers. */
export async function postgresUrl(): Promise<{ url: string; origin: string } | { skip: string }> {
  const given = process.env.BENCH_DATABASE_URL ? 'BENCH_DATABASE_URL' : process.env.TEST_DATABASE_URL ? 'TEST_DATABASE_URL' : undefined;
  const url = given ? process.env[given]! : DEFAULT_POSTGRES_URL;
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return { url, origin: given ?? 'the local default' };
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return {
      skip: given
        ? `${given} is set but PostgreSQL does not answer (${why})`
        : `no BENCH_DATABASE_URL or TEST_DATABASE_URL, and ${redact(url)} does not answer (${why})`,
    };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A new schema on that server, migrated; close() drops it. */
export async function freshPostgres(url: string): Promise<Db & { schema: string }> {
  const schema = `bench_${randomBytes(6).toString('hex')}`;
  const admin = await connect({ databaseUrl: url, poolSize: 1 });
  await sql`create schema ${sql.id(schema)}`.execute(admin.db);
  const db = await connect({ databaseUrl: url, schema, poolSize: 10 });
  const close = async () => {
    await db.close().catch(() => undefined);
    await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(admin.db);
    await admin.close();
  };
  try {
    await migrateToLatest(db.db);
  } catch (error) {
    await close();
    throw error;
  }
  return { kind: 'postgres', db: db.db, schema, openSession: () => db.openSession!(), close };
}

/** A URL fit for a report: no password. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unreadable URL)';
  }
}
