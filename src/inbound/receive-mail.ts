import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/tables.js';
import type { Logger } from '../log.js';
import type { InboundEnvelope, InboundMailSink, InboundOutcome } from '../ports/inbound-mail.port.js';
import { runAs } from '../precedence.js';
import { isAutoReply } from './auto-replies.js';
import { proposeAbsence } from './absence-proposal.js';
import { recordBounce, type BounceReport } from './bounces.js';
import { fromMailSystem, parseDsn } from './dsn-reports.js';
import { readItip, type Itip } from './itip.js';
import { parseMail, rawKey, type ParsedMail } from './parse-mail.js';
import { bareAddress, readReplyAddress, type ReplyRef } from './reply-address.js';
import { bind, type Signed } from './reply-binding.js';
import { answerBound, forwardUnverified, type Handled } from './reply-handlers.js';
import { passesDmarc, systemResolver, type DnsResolver } from './sender-check.js';
import type { Answered } from '../invitations/plan-activity-reminders.js';

/** What the inbound sink needs; main.ts gives the real ones, tests a fake DNS resolver. */
export interface InboundDeps {
  db: Kysely<Database>;
  clock: Clock;
  /** APP_SECRET: signs and checks reply addresses. */
  secret: string;
  /** MAIL_FROM: the mailbox whose plus-addresses are ours. */
  mailFrom: string;
  log: Logger;
  /** DNS for DKIM/SPF/DMARC; the system's when absent. */
  resolver?: DnsResolver;
  /** After a commit that changed answers or queued messages: wake the delivery loop (and plan the reminders of an invitation answered). */
  onChanged?: (answered?: Answered) => void;
}

/**
 * The inbound-mail sink (docs/inbound-mail.md "Understanding replies"): every mail is parsed
 * (never throwing for bad input), recorded once by its Message-ID, bound to a person only by a
 * signed reply address or, for a calendar's REPLY, by its ATTENDEE and a From that passes DMARC,
 * and then understood. The record, the answer and every message it causes commit in one
 * transaction: a crash before the commit leaves nothing, and the mail offered again is
 * processed anew; after it, the same mail is a duplicate. Only a database failure throws.
 */
export function createInboundMailSink(deps: InboundDeps): InboundMailSink {
  // Answers people gave by mail, but nobody waits on an HTTP answer for them: after requests,
  // before planning (src/precedence.ts). Marked here, where every transport (the IMAP reader's
  // loop, the SMTP listener) hands a mail over, so each is marked however it was started.
  return { receive: (raw, envelope) => runAs('delivery', () => receiveMail(deps, raw, envelope)) };
}

async function receiveMail(deps: InboundDeps, raw: Buffer, envelope: InboundEnvelope): Promise<InboundOutcome> {
  const mail = await parseMail(raw);
  const signed = mail ? signedAddress(deps, [...mail.recipients, ...envelope.rcptTo]) : { ref: undefined, reason: 'unknown_address' as const };
  const itip = mail ? readItip(mail.calendars) : undefined;
  const bounces = mail ? parseDsn(raw) : undefined;
  const classified = classify(mail, itip, bounces);
  // The network is asked only when nothing signed binds a calendar's REPLY, and before the transaction opens.
  const dmarcOk = classified === 'itip_reply' && !signed.ref ? await passesDmarc(raw, envelope, deps.resolver ?? systemResolver) : false;
  const now = deps.clock.now();
  const handled = await deps.db.transaction().execute(async (trx): Promise<Handled | 'duplicate'> => {
    const inserted = await trx
      .insertInto('inbound_mails')
      .values({ message_key: onceKey(mail, raw, signed), transport: envelope.transport, classified_as: classified, outcome: 'processing', received_at: now })
      .onConflict((oc) => oc.column('message_key').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!inserted) return 'duplicate';
    const c = { trx, mailId: Number(inserted.id), now, raw, envelopeFrom: envelope.mailFrom };
    const done = await handle(deps, c, mail, classified, signed, itip, dmarcOk, bounces);
    await trx
      .updateTable('inbound_mails')
      .set({ classified_as: done.classified ?? classified, person_id: done.personId ?? null, delivery_id: done.deliveryId ?? null, outcome: describe(done.result) })
      .where('id', '=', c.mailId)
      .execute();
    return done;
  });
  if (handled === 'duplicate') return { status: 'duplicate' };
  deps.log.info({ transport: envelope.transport, classified: handled.classified ?? classified, outcome: describe(handled.result) }, 'inbound mail');
  if (handled.changed) deps.onChanged?.(handled.answered);
  return handled.result;
}

/**
 * The key a mail is recorded once by: its Message-ID as given (the local part is case-sensitive, RFC 5322)
 * together with whom it is bound to (the signed delivery) or, unsigned, a hash of its From and first
 * recipient. So a stranger's mail reusing a Message-ID cannot make a person's signed reply a duplicate,
 * and two people's replies sharing one ID are both read; the same mail offered again gets the same key.
 */
function onceKey(mail: ParsedMail | undefined, raw: Buffer, signed: Signed): string {
  const id = mail?.key ?? rawKey(raw);
  if (signed.ref) return `${id} d${signed.ref.deliveryId}:p${signed.ref.personId}`;
  const who = `${(mail?.from ?? '').toLowerCase()}\n${(mail?.recipients[0] ?? '').toLowerCase()}`;
  return `${id} h${createHash('sha256').update(who).digest('hex').slice(0, 16)}`;
}

type Classified = 'not_understood' | 'bounce' | 'auto_reply' | 'itip_reply' | 'itip_counter' | 'reply';

function classify(mail: ParsedMail | undefined, itip: Itip | undefined, bounces: BounceReport[] | undefined): Classified {
  // No sender at all: not a mail anyone wrote (or not one mailparser could read).
  if (!mail || !mail.from) return 'not_understood';
  if (bounces) return 'bounce';
  // A calendar's REPLY is the person's own answer even when the calendar marks it machine-sent
  // (Auto-Submitted: auto-generated): it is read before the auto-reply test.
  if (itip?.method === 'REPLY') return 'itip_reply';
  if (itip?.method === 'COUNTER') return 'itip_counter';
  if (isAutoReply(mail)) return 'auto_reply';
  return 'reply';
}

/** The first recipient that is a valid signed address of ours; else why none binds. */
function signedAddress(deps: InboundDeps, recipients: string[]): Signed {
  for (const address of recipients) {
    const ref: ReplyRef | undefined = readReplyAddress(deps.secret, deps.mailFrom, address);
    if (ref) return { ref };
  }
  const own = bareAddress(deps.mailFrom).toLowerCase();
  const [local, domain] = [own.slice(0, own.lastIndexOf('@')).split('+')[0], own.slice(own.lastIndexOf('@'))];
  const looksOurs = recipients.some((a) => bareAddress(a).toLowerCase().startsWith(`${local}+`) && bareAddress(a).toLowerCase().endsWith(domain));
  return { ref: undefined, reason: looksOurs ? 'bad_signature' : 'unknown_address' };
}

async function handle(
  deps: InboundDeps,
  c: { trx: Kysely<Database>; mailId: number; now: Date; raw: Buffer; envelopeFrom: string | undefined },
  mail: ParsedMail | undefined,
  classified: Classified,
  signed: Signed,
  itip: Itip | undefined,
  dmarcOk: boolean,
  bounces: BounceReport[] | undefined,
): Promise<Handled> {
  if (!mail || classified === 'not_understood') return { result: { status: 'ignored', why: 'not_understood' } };
  if (classified === 'bounce') {
    if (!signed.ref || !bounces?.length) return { result: { status: 'ignored', why: 'bounce_unbound' } };
    // Only a mail system bounces (RFC 5321 §4.5.5: the null sender): anyone who saw a reply address could forge one.
    if (!fromMailSystem(c.raw, c.envelopeFrom)) return { result: { status: 'ignored', why: 'bounce_not_from_mail_system' } };
    // All reports: recordBounce acts on the failed one about the address the delivery went to.
    const what = await recordBounce(c.trx, signed.ref, bounces, deps.clock);
    return { result: { status: 'recorded', what: `bounce:${what}` }, personId: signed.ref.personId, deliveryId: signed.ref.deliveryId, changed: true };
  }
  const bound = await bind(c.trx, mail, signed, itip, dmarcOk);
  if (classified === 'auto_reply') {
    // RFC 3834: never answered. A period it names may be proposed to the person, never set.
    const proposed = 'person' in bound ? await proposeAbsence(c, bound.person, mail) : false;
    return { result: { status: 'ignored', why: proposed ? 'auto_reply:absence_proposed' : 'auto_reply' }, ...('person' in bound ? { personId: bound.person.id } : {}), changed: proposed };
  }
  if (!('person' in bound)) {
    await forwardUnverified(c, mail, bound.reason);
    return { classified: 'unverified', result: { status: 'ignored', why: `unverified:${bound.reason}` }, changed: true };
  }
  return answerBound(deps.clock, c, mail, bound, itip);
}

function describe(result: InboundOutcome): string {
  return result.status === 'recorded' ? `recorded:${result.what}` : result.status === 'ignored' ? `ignored:${result.why}` : 'duplicate';
}
