import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import type { Db, DbKind } from '../../src/db/db.port.js';
import { runAs } from '../../src/precedence.js';
import { dialects, freshDatabase } from '../support/databases.js';

/**
 * Issue 17: a request's statement goes before background work's at the database
 * (src/precedence.ts): on PGlite its one connection, on PostgreSQL a pool where background work
 * never holds the last connection. Measured in statements, not milliseconds: how many background
 * statements end while one request's statement waits and runs. Without precedence it waits behind
 * every background statement queued before it (PGlite: all the other chains; PostgreSQL: the
 * whole pool, then the pool's queue); with it, behind at most the one(s) already running.
 */
const CHAINS = 12;

/** One background statement: a few ms of work on PGlite's thread; on PostgreSQL a server-side wait. */
const backgroundStatement = (kind: DbKind) => (kind === 'pglite' ? sql`select count(*) from generate_series(1, 30000)` : sql`select pg_sleep(0.15)`);

describe.each(dialects)('interactive work before background work (%s)', (kind) => {
  let db: Db | undefined;
  afterEach(async () => {
    await db?.close();
    db = undefined;
  });

  /** CHAINS chains of background statements, each awaiting the last, until stopped. */
  function background(statements: number) {
    let done = 0;
    let stopped = false;
    const chains = runAs('background', () =>
      Promise.all(
        Array.from({ length: CHAINS }, async () => {
          for (let i = 0; i < statements && !stopped; i++) {
            await backgroundStatement(kind).execute(db!.db);
            done++;
          }
        }),
      ),
    );
    return { done: () => done, stop: () => ((stopped = true), chains), finished: chains };
  }

  it('should answer a request after at most the background statements already running', async () => {
    db = await freshDatabase(kind);
    const work = background(1000);
    // Every chain has a statement queued or running.
    while (work.done() < CHAINS) await new Promise((resolve) => setTimeout(resolve, 5));
    const before = work.done();
    const started = performance.now();
    const answer = await runAs('interactive', () => sql<{ ok: number }>`select 1 as ok`.execute(db!.db));
    const waited = performance.now() - started;
    const passed = work.done() - before;
    await work.stop();
    expect(answer.rows[0]!.ok).toBe(1);
    // PGlite: the statement running (1); PostgreSQL: the 4 of 5 connections background may hold.
    // Without precedence: the 11 queued ahead (PGlite), or the pool's 5 then its queue (PostgreSQL).
    expect(passed, `background statements passed meanwhile (waited ${waited.toFixed(0)} ms)`).toBeLessThanOrEqual(kind === 'pglite' ? 2 : 4);
  }, 120_000);

  it('should still finish background work while requests keep coming (no starvation)', async () => {
    db = await freshDatabase(kind);
    let stopped = false;
    // Requests back to back from three clients: on PGlite one of them always waits for the connection.
    const requests = runAs('interactive', () =>
      Promise.all(
        Array.from({ length: 3 }, async () => {
          while (!stopped) await sql`select count(*) from generate_series(1, 3000)`.execute(db!.db);
        }),
      ),
    );
    const work = background(2);
    try {
      await work.finished;
      expect(work.done()).toBe(CHAINS * 2);
    } finally {
      stopped = true;
      await requests;
    }
  }, 120_000);
});
