import type { KyselyPlugin } from 'kysely';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { DeliveryService } from '../../src/delivery/delivery-service.js';
import { createLogger } from '../../src/log.js';
import { precedence, runAs, type Precedence } from '../../src/precedence.js';
import { dialects, demoDatabase } from '../support/databases.js';

/**
 * Hostile review of issue 17's precedence: a chat command or an RSVP that changes the schedule
 * calls `scheduleChanged()` without awaiting it (src/main.ts onDataChanged), so the follow-up
 * planning runs in the request's async context. It is not the person's answer: marked
 * "interactive" it went before the dispatcher at PGlite's connection, took PostgreSQL's reserve
 * connection and kept the long slices, exactly what the re-plan (the same processScheduleChanges)
 * is kept from doing.
 */
/** Until no statement was made for a while (the lanes drained and armed): short polls, 3 s at most. */
async function lanesSettled(levels: unknown[]): Promise<void> {
  let last = -1;
  for (let i = 0; i < 150 && (levels.length !== last || levels.length === 0); i++) {
    last = levels.length;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.each(dialects)('follow-up work of a request is not interactive (%s)', (kind) => {
  let db: Db | undefined;
  let service: DeliveryService | undefined;
  afterEach(async () => {
    await service?.stop();
    await db?.close();
    service = undefined;
    db = undefined;
  });

  it('should run the planning after a schedule change below requests and the dispatcher', async () => {
    const clock = new FixedClock('2027-01-06T11:00:00Z');
    db = await demoDatabase(kind, clock);
    const levels: Precedence[] = [];
    // Kysely calls transformQuery synchronously in the statement's own async context.
    const recorder: KyselyPlugin = {
      transformQuery: (args) => (levels.push(precedence()), args.node),
      transformResult: async (args) => args.result,
    };
    service = new DeliveryService({
      db: db.db.withPlugin(recorder),
      clock,
      log: createLogger('silent'),
      senders: new Map(),
      publicUrl: 'https://koop.example.org',
      appSecret: 'd'.repeat(40),
      registry: new Registry(),
      workerId: 'follow-up-test',
      horizonDays: 14,
    });
    // A team's meeting moved by a chat command: what the bot's onDataChanged starts, in the request.
    await db.db.updateTable('meeting_series').set({ location: 'Sala 2' }).where('team_id', '=', 'lodz').execute();
    await runAs('interactive', () => service!.scheduleChanged());
    expect(levels.length).toBeGreaterThan(0);
    expect(levels.filter((level) => level === 'interactive')).toEqual([]);
    // It ends by waking the dispatcher (below): its lanes' look at the next due row is delivery work too.
    levels.length = 0;
    await lanesSettled(levels);
    expect(levels.length).toBeGreaterThan(0);
    expect(levels.filter((level) => level === 'interactive')).toEqual([]);
  });

  it('should run the dispatcher\'s turns woken by a request as delivery work, to the end', async () => {
    const clock = new FixedClock('2027-01-06T11:00:00Z');
    db = await demoDatabase(kind, clock);
    const levels: Precedence[] = [];
    service = new DeliveryService({
      db: db.db.withPlugin({ transformQuery: (args) => (levels.push(precedence()), args.node), transformResult: async (args) => args.result }),
      clock,
      log: createLogger('silent'),
      senders: new Map(),
      publicUrl: 'https://koop.example.org',
      appSecret: 'd'.repeat(40),
      registry: new Registry(),
      workerId: 'follow-up-test',
      horizonDays: 14,
    });
    // A form answered on a page queues a mail and pokes the dispatcher (src/main.ts formRoutes' onChanged).
    runAs('interactive', () => service!.loop.poke());
    await lanesSettled(levels);
    expect(levels.length).toBeGreaterThan(0);
    expect(levels.filter((level) => level === 'interactive')).toEqual([]);
  });
});
