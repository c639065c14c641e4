import type { Kysely } from 'kysely';
import { afterAll, beforeAll } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Database } from '../../src/db/tables.js';
import type { Db, DbKind } from '../../src/db/db.port.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { createLogger } from '../../src/log.js';
import type { ChannelAdapter } from '../../src/ports/channel.port.js';
import { emailLinks } from '../../src/preferences/preference-links.js';
import { emailAdapterFor, startSmtp, type FakeSmtp } from '../adapters/email/support.js';
import { demoDatabase } from '../support/databases.js';

// The set-up shared by the suites of the personal page links of a batch of e-mails (page-links-*.test.ts).

export const SECRET = 's'.repeat(40);
export const PUBLIC = 'https://koop.example.org';
export const log = createLogger('silent');

/**
 * Call inside a describe: for the whole describe, the clock at 2027-01-04 08:00 UTC, a database
 * from `open` (the demo calendar by default) and an SMTP server with the e-mail adapter sending
 * to it; all three thrown away after the describe.
 */
export function pageLinksSuite(kind: DbKind, open: (kind: DbKind, clock: FixedClock) => Promise<Db> = demoDatabase) {
  let db: Db;
  let smtp: FakeSmtp;
  let email: ChannelAdapter;
  const clock = new FixedClock('2027-01-04T08:00:00Z');

  beforeAll(async () => {
    db = await open(kind, clock);
    smtp = await startSmtp();
    email = emailAdapterFor(smtp, 'k@example.org');
  });
  afterAll(async () => {
    await email?.stop();
    await smtp?.close();
    await db?.close();
  });

  return {
    clock,
    get db() {
      return db;
    },
    get smtp() {
      return smtp;
    },
    get email() {
      return email;
    },
    /** A dispatcher sending batches of up to 100 e-mails through the adapter, its page links looked up through `linksDb` (the database by default). */
    dispatcher: (linksDb: Kysely<Database> = db.db) =>
      new Dispatcher({ db: db.db, clock, log, workerId: 'w', batchSize: 100, senders: new Map([['email', email.sender]]), emailLinks: emailLinks(linksDb, PUBLIC, SECRET, clock) }),
  };
}
