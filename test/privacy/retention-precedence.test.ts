import type { KyselyPlugin } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { createLogger } from '../../src/log.js';
import { precedence, type Precedence } from '../../src/precedence.js';
import { RetentionJob } from '../../src/privacy/retention.js';
import { dialects, demoDatabase } from '../support/databases.js';

/**
 * Hostile review of issue 17's precedence: the daily retention purge (deleting a year's old
 * records) was left unmarked, so it ran as interactive work: ahead of the dispatcher at PGlite's
 * connection, on PostgreSQL's reserve connection, with full slices while requests wait. It is
 * background work like the daily re-plan.
 */
describe.each(dialects)('the retention purge is background work (%s)', (kind) => {
  let db: Db | undefined;
  let job: RetentionJob | undefined;
  afterEach(async () => {
    job?.stop();
    await db?.close();
    db = undefined;
  });

  it('should run every statement of the purge below requests and the dispatcher', async () => {
    const clock = new FixedClock('2027-01-06T11:00:00Z');
    db = await demoDatabase(kind, clock);
    const levels: Precedence[] = [];
    // Kysely calls transformQuery synchronously in the statement's own async context.
    const recorder: KyselyPlugin = { transformQuery: (args) => (levels.push(precedence()), args.node), transformResult: async (args) => args.result };
    job = new RetentionJob({ db: db.db.withPlugin(recorder), clock, log: createLogger('silent'), months: 12 });
    await job.start();
    expect(levels.length).toBeGreaterThan(0);
    expect(levels.filter((level) => level !== 'background')).toEqual([]);
  });
});
