import type { Kysely, Transaction } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/tables.js';
import type { ReplyRef } from './reply-address.js';

/** What a delivery status notification (RFC 3464) says about one recipient. */
export interface BounceReport {
  /** The recipient the report is about (Original-Recipient, else Final-Recipient). */
  recipient?: string;
  /** Every address the report names for that recipient (Original- and Final-Recipient): a forward changes the final one. */
  recipients?: string[];
  /** The Action field: failed | delayed | delivered | relayed | expanded. */
  action: string;
  /** The Status field, e.g. 5.1.1. */
  status?: string;
  /** The Diagnostic-Code, for `dostarczenia`. */
  diagnostic?: string;
}

/**
 * How long a bounced address is skipped after its last bounce. Then the next e-mail is tried
 * again (a full mailbox gets emptied, a mistyped address in an import gets fixed on the mail
 * server's side): a new bounce skips it for this long again. A changed address is tried at once.
 */
export const BOUNCE_SKIP_MS = 30 * 24 * 60 * 60 * 1000;

/** The reason written on a delivery an e-mail bounce moved on or ended (src/i18n/delivery-reasons.ts reads it). */
export const bouncedReason = (status: string, diagnostic?: string | null) => `the address bounced: ${status}${diagnostic ? ` ${diagnostic}` : ''}`.slice(0, 500);

/**
 * How long after a delivery was sent a bounce still moves it to the next channel. A DSN comes
 * within the sending server's queue lifetime (Postfix: 5 days, Exim and Exchange: 2 to 4 days);
 * a later one is a replay (the signed address is in every copy's Reply-To and never expires), so
 * it only marks the address and never sends an old message again.
 */
export const BOUNCE_MOVES_DELIVERY_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * The server gave up: RFC 3464 §2.3.3 `failed`, whatever the status class (a 4.4.7 is Postfix's
 * queue lifetime running out: the mail never arrived). `delayed`, `delivered`, `relayed` change nothing.
 */
export const isPermanentBounce = (report: BounceReport): boolean => report.action === 'failed';

const isAddress = (text: string | undefined): text is string => !!text && /^[^\s@]+@[^\s@]+$/.test(text);

/**
 * A bounce that came back to a delivery's signed address: the address is marked failing and the
 * delivery falls back to the person's next channel (`dostarczenia` shows it). Written in the
 * caller's transaction (the inbound mail's record). Returns what was done, for logs.
 *
 * `reports` is one report or all of a DSN's; the one used is a `failed` one about the person's
 * address (the one the delivery went to: the row does not keep it, so the person's address now).
 * A failed recipient that is someone else's (a forward, another recipient of the DSN) does
 * nothing. A report without a recipient (older servers' plain text) moves the delivery, whose
 * signed address it came back to, but marks no address: which one failed is not known.
 *
 * Only a failure does anything; a delay or a success report returns `ignored: …` for the caller
 * to log. The delivery moves on only while it still stands as sent by e-mail and was sent within
 * BOUNCE_MOVES_DELIVERY_MS. Idempotent per delivery: the same bounce handed again (two IMAP
 * replicas, a crash before the mail was flagged) or a second report about the same delivery
 * neither counts again nor moves `last_bounce_at` (so the skip is not extended), nor moves the row twice.
 */
export async function recordBounce(db: Kysely<Database> | Transaction<Database>, ref: ReplyRef, reports: BounceReport | BounceReport[], clock: Clock): Promise<string> {
  const all = Array.isArray(reports) ? reports : [reports];
  const failed = all.filter(isPermanentBounce);
  if (failed.length === 0) return `ignored: ${all[0]?.action ?? 'no report'} ${all[0]?.status ?? ''}`.trim();
  const person = await db.selectFrom('people').select(['id', 'email']).where('id', '=', ref.personId).executeTakeFirst();
  if (!person) return 'ignored: the person is gone';
  const own = person.email.toLowerCase();
  const aboutPerson = (r: BounceReport) => [r.recipient, ...(r.recipients ?? [])].some((a) => a?.toLowerCase() === own);
  const named = (r: BounceReport) => isAddress(r.recipient) || (r.recipients ?? []).some(isAddress);
  const report = failed.find(aboutPerson) ?? failed.find((r) => !named(r));
  if (!report) return 'ignored: the failed recipient is not the address the delivery went to';
  const status = report.status ?? '5.0.0';
  const diagnostic = report.diagnostic?.replace(/\s+/g, ' ').trim().slice(0, 500) || null;
  const now = clock.now();
  if (aboutPerson(report)) await markFailing(db, person.id, own, ref.deliveryId, status, diagnostic, now);

  const found = await db
    .selectFrom('deliveries')
    .select(['id', 'state', 'sent_channel', 'sent_at', 'channels', 'channel_index', 'attempts'])
    .where('id', '=', ref.deliveryId)
    .where('person_id', '=', ref.personId)
    .where('state', 'in', ['sent', 'pending'])
    .forUpdate()
    .executeTakeFirst();
  const marked = aboutPerson(report) ? 'marked failing' : 'no address named, none marked';
  const channels = (found?.channels ?? []) as string[];
  // Still `pending` at e-mail: the mail server took the mail and bounced it before the dispatcher
  // wrote "sent" (its outcomes go out in small groups; a claim is not stored in the row), or the
  // send timed out after the mail had left. Moved on here; the dispatcher's own late write then
  // finds another channel_index (or `failed`) and changes nothing (claims.ts). (`sending`: a row
  // claimed by code older than migration 0028.)
  const row = found && (found.state === 'sent' ? found.sent_channel === 'email' : channels[found.channel_index] === 'email') ? found : undefined;
  if (!row) return `address ${status}: ${marked}`;
  if (row.state === 'sent' && row.sent_at && now.getTime() - new Date(row.sent_at).getTime() > BOUNCE_MOVES_DELIVERY_MS) {
    return `address ${status}: ${marked}; delivery ${row.id} too old to move (a late or replayed bounce)`;
  }
  const last_error = `email: ${bouncedReason(status, diagnostic)}`;
  if (row.channel_index + 1 < channels.length) {
    // As deliver-row.ts falls back after a failed send: the next channel, at once, attempts anew.
    await db
      .updateTable('deliveries')
      .set({ state: 'pending', channel_index: row.channel_index + 1, attempts: 0, next_attempt_at: now, sent_at: null, sent_channel: null, provider_id: null, last_error, claimed_by: null, claimed_at: null })
      .where('id', '=', row.id)
      .execute();
    return `address ${status}: ${marked}; delivery ${row.id} falls back to ${channels[row.channel_index + 1]}`;
  }
  await db.updateTable('deliveries').set({ state: 'failed', attempts: row.attempts + 1, last_error, claimed_by: null, claimed_at: null }).where('id', '=', row.id).execute();
  return `address ${status}: ${marked}; delivery ${row.id} failed (no other channel)`;
}

/** One row per person and address; a bounce for the delivery the row already names is the same bounce again: nothing changes. */
async function markFailing(db: Kysely<Database> | Transaction<Database>, personId: number, address: string, deliveryId: number, status: string, diagnostic: string | null, now: Date) {
  await db
    .insertInto('mail_bounces')
    .values({ person_id: personId, address, status, diagnostic, delivery_id: deliveryId, first_bounce_at: now, last_bounce_at: now })
    .onConflict((oc) =>
      oc
        .columns(['person_id', 'address'])
        .doUpdateSet((eb) => ({
          status,
          diagnostic,
          delivery_id: deliveryId,
          bounces: eb('mail_bounces.bounces', '+', 1),
          last_bounce_at: now,
        }))
        .where('mail_bounces.delivery_id', 'is distinct from', deliveryId),
    )
    .execute();
}

export interface FailingAddress {
  address: string;
  status: string;
  diagnostic: string | null;
  since: Date;
}

/** The addresses of these people that bounced within BOUNCE_SKIP_MS before `now`, by person. */
export async function failingAddresses(db: Kysely<Database>, personIds: number[], now: Date): Promise<Map<number, FailingAddress[]>> {
  const out = new Map<number, FailingAddress[]>();
  if (personIds.length === 0) return out;
  const rows = await db
    .selectFrom('mail_bounces')
    .select(['person_id', 'address', 'status', 'diagnostic', 'first_bounce_at'])
    .where('person_id', 'in', personIds)
    .where('last_bounce_at', '>', new Date(now.getTime() - BOUNCE_SKIP_MS))
    .execute();
  for (const r of rows) {
    const list = out.get(r.person_id) ?? [];
    list.push({ address: r.address, status: r.status, diagnostic: r.diagnostic, since: r.first_bounce_at });
    out.set(r.person_id, list);
  }
  return out;
}
