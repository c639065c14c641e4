import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/db.port.js';
import { freshDatabase } from '../support/databases.js';

/**
 * On PGlite a statement runs on this thread and its promise resolves without I/O, so a chain of
 * awaited statements was one run of microtasks: a timer (a request, a socket) waited for the
 * whole chain (46 s of a dispatcher's batch in the busy benchmark). The driver now lets the
 * event loop turn once it has been held for a slice (src/time-slices.ts, pauseIfLoopHeld).
 */
describe('PGlite statements in a chain', () => {
  let db: Db | undefined;
  afterEach(async () => {
    await db?.close();
    db = undefined;
  });

  it('should let a timer run while awaited statements follow one another', async () => {
    db = await freshDatabase('pglite');
    let fired: number | undefined;
    setTimeout(() => (fired = performance.now()), 0);
    const started = performance.now();
    let statements = 0;
    // Without pauses the timer cannot fire before the chain ends: it would end only at the 5 s bound.
    while (fired === undefined && performance.now() - started < 5000) {
      await sql`select count(*) from generate_series(1, 200)`.execute(db.db);
      statements++;
    }
    expect(fired).toBeDefined();
    expect(fired! - started).toBeLessThan(1000);
    expect(statements).toBeGreaterThan(1);
  }, 120_000); // the first test of a worker migrates PGlite's snapshot: long on a busy machine

  it('should not pause the first statement after the loop turned', async () => {
    db = await freshDatabase('pglite');
    await sql`select 1`.execute(db.db);
    // The loop turns here; a statement right after starts a new stretch and runs at once, however busy the machine.
    await new Promise((resolve) => setImmediate(resolve));
    let fired = false;
    setImmediate(() => (fired = true));
    await sql`select 1`.execute(db.db);
    expect(fired).toBe(false);
  }, 120_000);
});
