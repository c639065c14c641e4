/**
 * Child of the import benchmark: one import into one database in a fresh process, so the
 * parse runs on cold JIT exactly as in `kooperator import` (opening the database and the
 * migrations are not timed). Then the re-import of the same file. Prints one JSON line.
 *
 *   BENCH_TARGET=pglite-memory | pglite-disk | postgres   BENCH_FILE=…   BENCH_URL=… (postgres)
 *   DATA_DIR=… (pglite-disk)
 */
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { connect } from '../adapters/db/connect.js';
import type { Db } from '../src/db/db.port.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { importSchedules, type ImportSummary } from '../src/schedule/import-schedule.js';
import { loadScheduleFiles } from '../src/schedule/load-schedule.js';
import { freshPglite, freshPostgres } from './databases.js';
import { DEFAULT_ZONE, benchClock } from './fixtures.js';

export interface ImportFigures {
  parseMs: number;
  importMs: number;
  reparseMs: number;
  reimportMs: number;
  summary: ImportSummary;
  resummary: ImportSummary;
  stored: Record<'teams' | 'meetings' | 'people' | 'memberships' | 'activities', number>;
}

async function open(): Promise<Db> {
  switch (process.env.BENCH_TARGET) {
    case 'pglite-memory':
      return freshPglite();
    case 'pglite-disk': {
      const db = await connect({ pgliteDir: process.env.DATA_DIR! });
      await migrateToLatest(db.db);
      return db;
    }
    case 'postgres':
      return freshPostgres(process.env.BENCH_URL!);
    default:
      throw new Error(`unknown BENCH_TARGET ${process.env.BENCH_TARGET}`);
  }
}

async function main(): Promise<ImportFigures> {
  const file = process.env.BENCH_FILE!;
  const options = { clock: benchClock(), defaultTimezone: DEFAULT_ZONE };
  const db = await open();
  try {
    let t = performance.now();
    const loaded = await loadScheduleFiles([file]);
    const parseMs = performance.now() - t;
    t = performance.now();
    const summary = await importSchedules(db.db, loaded, options);
    const importMs = performance.now() - t;
    const stored = await counts(db);
    t = performance.now();
    const reloaded = await loadScheduleFiles([file]);
    const reparseMs = performance.now() - t;
    t = performance.now();
    const resummary = await importSchedules(db.db, reloaded, options);
    const reimportMs = performance.now() - t;
    return { parseMs, importMs, reparseMs, reimportMs, summary, resummary, stored };
  } finally {
    await db.close();
  }
}

async function counts(db: Db): Promise<ImportFigures['stored']> {
  const count = async (table: string) => Number((await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(db.db)).rows[0]!.n);
  return {
    teams: await count('teams'),
    meetings: await count('meeting_series'),
    people: await count('people'),
    memberships: await count('memberships'),
    activities: await count('activities'),
  };
}

main().then(
  (figures) => {
    process.stdout.write(`${JSON.stringify(figures)}\n`);
    process.exit(0);
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
