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
 * A bounce that came back to a delivery's signed address: the address is marked failing and the
 * delivery falls back to the person's next channel (`dostarczenia` shows it). Written in the
 * caller's transaction (the inbound mail's record). Returns what was done, for logs.
 * STUB: implemented by the inbound-transport work (issue 16).
 */
export async function recordBounce(_db: Kysely<Database> | Transaction<Database>, _ref: ReplyRef, _report: BounceReport, _clock: Clock): Promise<string> {
  throw new Error('recordBounce is not built yet');
}
