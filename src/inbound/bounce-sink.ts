import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/tables.js';
import type { Logger } from '../log.js';
import type { InboundMailSink } from '../ports/inbound-mail.port.js';
import { recordBounce } from './bounces.js';
import { fromMailSystem, parseDsn } from './dsn-reports.js';
import { readReplyAddress } from './reply-address.js';

export interface BounceSinkDeps {
  db: Kysely<Database>;
  clock: Clock;
  secret: string;
  mailFrom: string;
  log: Logger;
  /** A delivery moved to another channel: wake the dispatcher. */
  onChanged?: () => void;
}

/**
 * The transports' sink while replies are not understood yet (the understanding half, issue 16,
 * is src/inbound/receive-mail.ts's `createInboundMailSink`, which replaces this in main.ts):
 * bounces to a signed reply address are recorded; any other mail throws, so the IMAP reader
 * leaves it in the mailbox and the SMTP listener answers 451: nothing is lost before it can be read.
 */
export function createBounceSink(deps: BounceSinkDeps): InboundMailSink {
  return {
    async receive(raw, envelope) {
      const reports = parseDsn(raw);
      if (!reports) throw new Error('replies are not read yet: this mail waits for the inbound-mail understanding');
      // RFC 5321 §4.5.5: a DSN has the null reverse-path; a DSN-shaped mail from an address is someone's.
      if (!fromMailSystem(raw, envelope.mailFrom)) return { status: 'ignored', why: 'bounce_not_from_mail_system' };
      const ref = envelope.rcptTo.map((to) => readReplyAddress(deps.secret, deps.mailFrom, to)).find(Boolean) ?? toHeaderRef(deps, raw);
      if (!ref) return { status: 'ignored', why: 'bounce_unbound' };
      // All reports: recordBounce takes the failed one about the address the delivery went to.
      const what = await deps.db.transaction().execute((trx) => recordBounce(trx, ref, reports, deps.clock));
      deps.log.info({ transport: envelope.transport, what }, 'bounce recorded');
      deps.onChanged?.();
      return { status: 'recorded', what: `bounce:${what}` };
    },
  };
}

/** The signed address in To (an IMAP mailbox, where the envelope is gone). */
function toHeaderRef(deps: BounceSinkDeps, raw: Buffer) {
  const head = raw.subarray(0, 64 * 1024).toString('latin1').split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, ' ');
  const to = /^(?:to|delivered-to|x-original-to):(.*)$/gim;
  for (const match of head.matchAll(to)) {
    // Split, not matched: /[^\s<>,"]+@[^\s<>,"]+/g retries at every character of a long run without an @ (quadratic).
    for (const address of match[1]!.split(/[\s<>,"]+/).filter((word) => word.includes('@')).slice(0, 50)) {
      const ref = readReplyAddress(deps.secret, deps.mailFrom, address);
      if (ref) return ref;
    }
  }
  return undefined;
}
