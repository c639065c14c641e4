/**
 * Issue 16: 1,000 inbound mails end to end in < 60 s. Each goes through the real receiving SMTP
 * listener (adapters/email-inbound) over TCP from a nodemailer client, to the sink main.ts
 * wires, which records it in the database before the listener answers 250.
 *
 * The mails are bounces to 1,000 deliveries' signed reply addresses: each is parsed
 * (src/inbound/dsn-reports.ts), checked, and recorded (address failing, the delivery moved to the
 * person's next channel) in its own transaction. The issue's mix of iTIP and plain replies needs
 * the reply understanding (src/inbound/receive-mail.ts, `createInboundMailSink`); with it on
 * main, `sinkFor` below is the one line to change, and the mails become `replies(…)`.
 */
import { performance } from 'node:perf_hooks';
import nodemailer from 'nodemailer';
import { SmtpListener } from '../adapters/email-inbound/smtp-listener.js';
import type { Db } from '../src/db/db.port.js';
import { enqueue } from '../src/delivery/outbox.js';
import { createBounceSink } from '../src/inbound/bounce-sink.js';
import { replyAddress } from '../src/inbound/reply-address.js';
import { createLogger } from '../src/log.js';
import type { InboundMailSink } from '../src/ports/inbound-mail.port.js';
import { postfixBounce } from '../test/inbound/dsn-samples.js';
import { freshPglite } from './databases.js';
import { benchClock } from './fixtures.js';
import { int, percentile, s, yesNo, type Report } from './support.js';

const MAILS = 1000;
const SECRET = 'b'.repeat(40);
const MAIL_FROM = '"Kooperator RCPS" <kooperator@example.org>';
const log = createLogger('silent');

function sinkFor(db: Db, clock: ReturnType<typeof benchClock>): InboundMailSink {
  return createBounceSink({ db: db.db, clock, secret: SECRET, mailFrom: MAIL_FROM, log });
}

async function sentDeliveries(db: Db, clock: ReturnType<typeof benchClock>): Promise<{ id: number; personId: number; email: string }[]> {
  const people = await db.db
    .insertInto('people')
    .values(Array.from({ length: MAILS }, (_, i) => ({ email: `osoba${i}@example.org`, name: `Osoba ${i}`, institution: null, language: 'pl' as const, channels: JSON.stringify(['email', 'slack']), staff_role: null, source: 'bench', removed_at: null })))
    .returning(['id', 'email'])
    .execute();
  await enqueue(db.db, people.map((p) => ({ key: `bench:${p.id}`, kind: 'notice', personId: p.id, channels: ['email' as const, 'slack' as const], payload: { language: 'pl' as const, title: 'x', text: 'x' }, dueAt: clock.now() })));
  await db.db.updateTable('deliveries').set({ state: 'sent', sent_channel: 'email', sent_at: clock.now() }).execute();
  const rows = await db.db.selectFrom('deliveries').select(['id', 'person_id']).execute();
  const byId = new Map(people.map((p) => [p.id, p.email]));
  return rows.map((r) => ({ id: r.id, personId: r.person_id!, email: byId.get(r.person_id!)! }));
}

export async function inboundBenchmark(report: Report): Promise<void> {
  const db = await freshPglite();
  const listener = new SmtpListener({ port: 0, host: '127.0.0.1', mailFrom: MAIL_FROM, sink: sinkFor(db, benchClock()), log });
  try {
    const clock = benchClock();
    const deliveries = await sentDeliveries(db, clock);
    const port = await listener.start();
    // Four connections, as a sending MTA opens a few in parallel.
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, pool: true, maxConnections: 4, maxMessages: Infinity });
    const latencies: number[] = [];
    const t0 = performance.now();
    let next = 0;
    const worker = async () => {
      while (next < deliveries.length) {
        const d = deliveries[next++]!;
        const to = replyAddress(SECRET, MAIL_FROM, { deliveryId: d.id, personId: d.personId });
        const t = performance.now();
        await transport.sendMail({ envelope: { from: '', to: [to] }, raw: postfixBounce(to, d.email) });
        latencies.push(performance.now() - t);
      }
    };
    await Promise.all(Array.from({ length: 4 }, worker));
    const totalMs = performance.now() - t0;
    transport.close();
    const moved = await db.db.selectFrom('deliveries').select((eb) => eb.fn.countAll<number>().as('n')).where('state', '=', 'pending').where('channel_index', '=', 1).executeTakeFirstOrThrow();
    const failing = await db.db.selectFrom('mail_bounces').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const allRecorded = Number(moved.n) === MAILS && Number(failing.n) === MAILS;
    report.row(`inbound: ${int(MAILS)} bounces over SMTP, recorded (address failing, delivery to the next channel) before each 250`, s(totalMs), '< 60 s', yesNo(totalMs < 60_000 && allRecorded));
    report.row('inbound: one mail, SMTP DATA to 250 (p50 / p95)', `${Math.round(percentile(latencies, 50))} / ${Math.round(percentile(latencies, 95))} ms`, '—', '—');
    report.note(`inbound: ${Number(moved.n)} of ${MAILS} deliveries moved on, ${Number(failing.n)} addresses marked failing. Replies (iTIP and plain words) wait for the reply understanding (createInboundMailSink) on main; this harness then swaps its sink.`);
  } finally {
    await listener.stop();
    await db.close();
  }
}
