import type { Kysely, Transaction } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/tables.js';
import type { ReplyRef } from './reply-address.js';

/** What a delivery status notification (RFC 3464) says about one recipient. */
export interface BounceReport {
  /** The recipient the report is about (Final-Recipient / Original-Recipient). */
  recipient?: string;
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

/** A permanent failure (RFC 3463 class 5); `delayed`, `delivered`, `relayed` and 4.x.x change nothing. */
export const isPermanentBounce = (report: BounceReport): boolean => report.action === 'failed' && (report.status ?? '5.0.0').startsWith('5.');

/**
 * A bounce that came back to a delivery's signed address: the address is marked failing and the
 * delivery falls back to the person's next channel (`dostarczenia` shows it). Written in the
 * caller's transaction (the inbound mail's record). Returns what was done, for logs.
 *
 * Only a permanent failure (`failed`, 5.x.x) does anything; a delay (4.x.x) or a success report
 * returns `ignored: …` for the caller to log. The bounced delivery moves on only while it still
 * stands as sent by e-mail: a second report about it (another DSN, the same one twice) marks the
 * address again (counted) but never moves the row twice.
 */
export async function recordBounce(db: Kysely<Database> | Transaction<Database>, ref: ReplyRef, report: BounceReport, clock: Clock): Promise<string> {
  if (!isPermanentBounce(report)) return `ignored: ${report.action} ${report.status ?? ''}`.trim();
  const status = report.status ?? '5.0.0';
  const diagnostic = report.diagnostic?.replace(/\s+/g, ' ').trim().slice(0, 500) || null;
  const person = await db.selectFrom('people').select(['id', 'email']).where('id', '=', ref.personId).executeTakeFirst();
  if (!person) return 'ignored: the person is gone';
  // The address the mail went to: the one the report names, else the person's own. A late bounce
  // for an address the person has since changed marks only that old address, never the new one.
  const address = (report.recipient && /^[^\s@]+@[^\s@]+$/.test(report.recipient) ? report.recipient : person.email).toLowerCase();
  const now = clock.now();
  await db
    .insertInto('mail_bounces')
    .values({ person_id: person.id, address, status, diagnostic, delivery_id: ref.deliveryId, first_bounce_at: now, last_bounce_at: now })
    .onConflict((oc) =>
      oc.columns(['person_id', 'address']).doUpdateSet((eb) => ({
        status,
        diagnostic,
        delivery_id: ref.deliveryId,
        bounces: eb('mail_bounces.bounces', '+', 1),
        last_bounce_at: now,
      })),
    )
    .execute();

  const found = await db
    .selectFrom('deliveries')
    .select(['id', 'state', 'sent_channel', 'channels', 'channel_index', 'attempts'])
    .where('id', '=', ref.deliveryId)
    .where('person_id', '=', ref.personId)
    .where('state', 'in', ['sent', 'sending'])
    .forUpdate()
    .executeTakeFirst();
  const channels = (found?.channels ?? []) as string[];
  // Still `sending`: the mail server took the mail and bounced it before the dispatcher wrote
  // "sent" (its outcomes go out in small groups). Taken over here with the claim released; the
  // dispatcher's own write then finds the claim gone and changes nothing (claims.ts).
  const row = found && (found.state === 'sent' ? found.sent_channel === 'email' : channels[found.channel_index] === 'email') ? found : undefined;
  if (!row) return `address ${status}: marked failing`;
  const last_error = `email: ${bouncedReason(status, diagnostic)}`;
  if (row.channel_index + 1 < channels.length) {
    // As deliver-row.ts falls back after a failed send: the next channel, at once, attempts anew.
    await db
      .updateTable('deliveries')
      .set({ state: 'pending', channel_index: row.channel_index + 1, attempts: 0, next_attempt_at: now, sent_at: null, sent_channel: null, provider_id: null, last_error, claimed_by: null, claimed_at: null })
      .where('id', '=', row.id)
      .execute();
    return `address ${status}: marked failing; delivery ${row.id} falls back to ${channels[row.channel_index + 1]}`;
  }
  await db.updateTable('deliveries').set({ state: 'failed', attempts: row.attempts + 1, last_error, claimed_by: null, claimed_at: null }).where('id', '=', row.id).execute();
  return `address ${status}: marked failing; delivery ${row.id} failed (no other channel)`;
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
