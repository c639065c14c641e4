import type { KyselyPlugin } from 'kysely';
import nodemailer from 'nodemailer';
import { afterEach, describe, expect, it } from 'vitest';
import { SmtpListener } from '../../adapters/email-inbound/smtp-listener.js';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { createLogger } from '../../src/log.js';
import { precedence, runAs, type Precedence } from '../../src/precedence.js';
import { aMail } from '../adapters/email-inbound/support.js';
import { dialects, demoDatabase } from '../support/databases.js';
import { MAIL_FROM, sinkFor, smtpEnvelope } from './world.js';

/**
 * Inbound mail (replies, bounces) records what people answered by mail, but nobody waits on an
 * HTTP answer for it: it runs as 'delivery' work (src/precedence.ts), after requests and before
 * background planning. Unmarked it counted as interactive: it went before requests' peers at
 * PGlite's connection and could take PostgreSQL's last connection.
 */
const REPLY = 'kooperator+d1p2.abcdefghijklmnop@rcps.example.org';

describe.each(dialects)('inbound mail runs as delivery work (%s)', (kind) => {
  let db: Db | undefined;
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!();
    await db?.close();
    db = undefined;
  });

  async function recordingSink() {
    const clock = new FixedClock('2027-01-06T11:00:00Z');
    db = await demoDatabase(kind, clock);
    const levels: Precedence[] = [];
    // Kysely calls transformQuery synchronously in the statement's own async context.
    const recorder: KyselyPlugin = { transformQuery: (args) => (levels.push(precedence()), args.node), transformResult: async (args) => args.result };
    const sink = sinkFor(db.db.withPlugin(recorder), clock, { onChanged: () => levels.push(precedence()) });
    return { sink, levels };
  }

  it('should record a mail that came through the SMTP listener at delivery, none of it interactive', async () => {
    const { sink, levels } = await recordingSink();
    const listener = new SmtpListener({ port: 0, host: '127.0.0.1', mailFrom: MAIL_FROM, sink, log: createLogger('silent') });
    const port = await listener.start();
    cleanups.push(() => listener.stop());
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, name: 'mx.example.net' });
    cleanups.push(async () => transport.close());
    const info = await transport.sendMail({ envelope: { from: 'anna.nowak@example.org', to: [REPLY] }, raw: aMail('precedence-smtp', REPLY) });
    expect(info.response).toMatch(/^250/);
    expect(levels.length).toBeGreaterThan(0);
    expect([...new Set(levels)]).toEqual(['delivery']);
  });

  it('should run at delivery whoever hands the mail over (the IMAP reader, or a caller marked interactive)', async () => {
    const { sink, levels } = await recordingSink();
    const outcome = await runAs('interactive', () => sink.receive(Buffer.from(aMail('precedence-imap', REPLY)), smtpEnvelope([REPLY], { transport: 'imap' })));
    expect(outcome.status).not.toBe('duplicate');
    expect(levels.length).toBeGreaterThan(0);
    expect([...new Set(levels)]).toEqual(['delivery']);
  });
});
