import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { dialects, freshDatabase } from '../support/databases.js';
import { addressOf, invite, sinkFor, smtpEnvelope, START, WORKSHOP } from './world.js';

/** A DSN as Postfix writes it (RFC 3464), sent back to the delivery's signed envelope sender. */
const dsn = (to: string, id: string) =>
  Buffer.from(
    [
      'From: MAILER-DAEMON@mx.example.net (Mail Delivery System)',
      `To: ${to}`,
      'Subject: Undelivered Mail Returned to Sender',
      `Message-ID: <${id}>`,
      'Auto-Submitted: auto-replied',
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="B"',
      '',
      '--B',
      'Content-Type: text/plain',
      '',
      'I\'m sorry to have to inform you that your message could not be delivered.',
      '--B',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.example.net',
      '',
      'Final-Recipient: rfc822; lodz2@example.org',
      'Action: failed',
      'Status: 5.1.1',
      'Diagnostic-Code: smtp; 550 5.1.1 <lodz2@example.org>: Recipient address rejected',
      '',
      '--B--',
      '',
    ].join('\r\n'),
  );

describe.each(dialects)('bounces are handed to recordBounce in the mail\'s transaction, on %s', (kind) => {
  let db: Db;
  const clock = new FixedClock(START);
  beforeEach(async () => {
    clock.set(START);
    db = await freshDatabase(kind);
    await invite(db.db, clock);
  });
  afterEach(async () => db?.close());

  it('should classify a DSN to a signed address as a bounce (not an auto-reply) and hand its report on, in the mail\'s transaction', async () => {
    const address = await addressOf(db.db, 'lodz2@example.org', `invite:${WORKSHOP}:`);
    const sink = sinkFor(db.db, clock);
    const outcome = await sink.receive(dsn(address, 'dsn-1@mx.example.net'), smtpEnvelope([address]));
    expect(outcome).toMatchObject({ status: 'recorded', what: expect.stringMatching(/^bounce:/) });
    expect(await db.db.selectFrom('inbound_mails').select('classified_as').execute()).toEqual([{ classified_as: 'bounce' }]);
    expect(await db.db.selectFrom('mail_bounces').select(['address', 'status']).execute()).toEqual([{ address: 'lodz2@example.org', status: '5.1.1' }]);
    expect(await sink.receive(dsn(address, 'dsn-1@mx.example.net'), { transport: 'imap', rcptTo: [] })).toEqual({ status: 'duplicate' });
  });

  it('should ignore a DSN that names no signed address, recording it once', async () => {
    const sink = sinkFor(db.db, clock);
    expect(await sink.receive(dsn('kooperator@rcps.example.org', 'dsn-2@mx.example.net'), smtpEnvelope())).toEqual({ status: 'ignored', why: 'bounce_unbound' });
    expect(await sink.receive(dsn('kooperator@rcps.example.org', 'dsn-2@mx.example.net'), smtpEnvelope())).toEqual({ status: 'duplicate' });
  });
});
