import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KyselyPlugin } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEmailAdapter } from '../../adapters/email/index.js';
import { IcalGeneratorRenderer } from '../../adapters/ical/ical-renderer.js';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { deliveryRenderer } from '../../src/delivery/render-delivery.js';
import { parseMailbox } from '../../src/invitations/invitation-message.js';
import { planInvitations } from '../../src/invitations/plan-invitations.js';
import { createLogger } from '../../src/log.js';
import { dialects, freshDatabase } from '../support/databases.js';
import { importFixture } from './support.js';

const SECRET = 's'.repeat(40);
const log = createLogger('silent');

/** Counts every statement sent to the database (a real one; only counted, never changed). */
function counting() {
  const counter = { queries: 0 };
  const plugin: KyselyPlugin = {
    transformQuery: (args) => (counter.queries++, args.node),
    transformResult: async (args) => args.result,
  };
  return { counter, plugin };
}

describe.each(dialects)('delivering a batch of invitations on %s', (kind) => {
  let db: Db;
  let outbox: string;
  const clock = new FixedClock('2027-02-01T09:00:00Z');

  beforeEach(async () => {
    db = await freshDatabase(kind);
    outbox = mkdtempSync(join(tmpdir(), 'outbox-'));
    await importFixture(db.db, clock);
    // Everyone by e-mail, so every row of a batch is rendered and sent in that one batch.
    await db.db.updateTable('people').set({ channels: JSON.stringify(['email']) }).execute();
    expect(await planInvitations(db.db, clock)).toEqual({ invited: 40, updated: 0 });
  });
  afterEach(async () => {
    await db?.close();
    rmSync(outbox, { recursive: true, force: true });
  });

  /** Queries of one dispatcher batch of the given size, and how many it sent. */
  async function oneBatch(batchSize: number) {
    const { counter, plugin } = counting();
    const counted = db.db.withPlugin(plugin);
    const email = createEmailAdapter({ outboxDir: outbox, from: '"RCPS" <rcps@example.org>', log });
    const dispatcher = new Dispatcher({
      db: counted,
      clock,
      log,
      workerId: 'test',
      batchSize,
      senders: new Map([['email', email.sender]]),
      render: deliveryRenderer(counted, 'https://koop.example.org', SECRET, {
        appSecret: SECRET,
        calendar: new IcalGeneratorRenderer('Europe/Warsaw'),
        organizer: parseMailbox('"RCPS" <rcps@example.org>'),
      }),
    });
    // One batch of the e-mail lane (each lane claims on its own; the others have nothing here).
    const report = await dispatcher.batch('email');
    return { queries: counter.queries, sent: report.sent };
  }

  it('should cost the same few queries for a batch of 5 invitations as for a batch of 30', async () => {
    const small = await oneBatch(5);
    const large = await oneBatch(30);
    expect(small.sent).toBe(5);
    expect(large.sent).toBe(30);
    expect(large.queries).toBe(small.queries);
    // A new dispatcher's first claim learns its session (at most 3, once: embedded or not, its
    // backend, the table's lock class), the claim and the claimed rows' read (2), the recipients
    // (3) and their bounced addresses (1), the activities, people and answers (3), the first
    // invitation of each person (1, for the ORGANIZER), the record and the unlock (2).
    expect(large.queries).toBeLessThanOrEqual(15);
    expect(readdirSync(outbox)).toHaveLength(35);
  });
});
