import { afterAll, describe, expect, it } from 'vitest';
import { ImapReader } from '../../../adapters/email-inbound/imap-reader.js';
import { FixedClock } from '../../../src/clock.js';
import type { Db } from '../../../src/db/db.port.js';
import { enqueue } from '../../../src/delivery/outbox.js';
import { createInboundMailSink } from '../../../src/inbound/receive-mail.js';
import { replyAddress } from '../../../src/inbound/reply-address.js';
import { createLogger } from '../../../src/log.js';
import type { InboundMailSink } from '../../../src/ports/inbound-mail.port.js';
import { dialects, demoDatabase } from '../../support/databases.js';
import { dovecotOrSkip } from '../../support/dovecot.js';
import { until } from './support.js';
import { postfixBounce } from '../../inbound/dsn-samples.js';

/**
 * Two replicas reading one IMAP mailbox (found by the hostile review of issue 16): both may hand
 * the same mail to their sink at the same moment; the sink main.ts wires records it once (by its
 * Message-ID, in the transaction of what it does), so the bounce counts once.
 */
const log = createLogger('silent');
const SECRET = 's'.repeat(40);
const MAIL_FROM = '"Kooperator RCPS" <kooperator@example.org>';
const { dovecot, skip } = await dovecotOrSkip();

afterAll(async () => {
  await dovecot?.close();
});

describe.skipIf(!!skip).each(dialects)('two replicas on one IMAP mailbox, on %s', (kind) => {
  let db: Db | undefined;
  afterAll(async () => {
    await db?.close();
  });

  it('should record one bounce once when both replicas read the mailbox at the same moment', async () => {
    const clock = new FixedClock('2026-12-20T12:00:00Z');
    db = await demoDatabase(kind, clock);
    const anna = (await db.db.selectFrom('people').select('id').where('email', '=', 'anna.nowak@example.org').executeTakeFirstOrThrow()).id;
    await enqueue(db.db, [{ key: 'rep1', kind: 'notice', personId: anna, channels: ['email', 'slack'], payload: { language: 'pl', title: 'rep1', text: 'x' }, dueAt: clock.now() }]);
    const row = await db.db.selectFrom('deliveries').select('id').where('dedupe_key', '=', 'rep1').executeTakeFirstOrThrow();
    await db.db.updateTable('deliveries').set({ state: 'sent', sent_channel: 'email', sent_at: clock.now() }).where('id', '=', row.id).execute();
    const verp = replyAddress(SECRET, MAIL_FROM, { deliveryId: row.id, personId: anna });

    const client = await dovecot!.client();
    const lock = await client.getMailboxLock('INBOX');
    try {
      // Each dialect starts from an empty mailbox.
      if ((client.mailbox && client.mailbox.exists) || 0) await client.messageDelete('1:*');
    } finally {
      lock.release();
    }
    await client.append('INBOX', postfixBounce(verp, 'anna.nowak@example.org'));
    await client.logout();

    // Each replica has its own sink (main.ts's) on the one database. Both are let in
    // together when both got the mail (a search at the same moment); alone after 3 s otherwise.
    const real = createInboundMailSink({ db: db.db, clock, secret: SECRET, mailFrom: MAIL_FROM, log });
    let arrived = 0;
    let handled = 0;
    const gate = (): InboundMailSink => ({
      async receive(raw, envelope) {
        arrived += 1;
        await until(() => arrived >= 2, 3000, 'the other replica').catch(() => undefined);
        try {
          return await real.receive(raw, envelope);
        } finally {
          handled += 1;
        }
      },
    });
    const readers = [1, 2].map(() => new ImapReader({ url: dovecot!.url, sink: gate(), log, pollMs: 60_000 }));
    for (const r of readers) r.start();
    try {
      await until(() => handled >= 1, 15_000, 'the bounce handled');
      await new Promise((resolve) => setTimeout(resolve, 1500));
    } finally {
      await Promise.all(readers.map((r) => r.stop()));
    }
    const bounce = await db.db.selectFrom('mail_bounces').select(['bounces']).where('person_id', '=', anna).executeTakeFirstOrThrow();
    // Both replicas may hand it over (the reader claims nothing on the server); it is recorded once.
    expect(handled).toBeGreaterThanOrEqual(1);
    expect(bounce.bounces).toBe(1);
    expect(await db.db.selectFrom('inbound_mails').select('id').execute()).toHaveLength(1);
  }, 120_000);
});
