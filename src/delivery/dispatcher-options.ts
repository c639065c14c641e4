import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { DedicatedSession } from '../db/db.port.js';
import type { Database, DeliveryRow } from '../db/tables.js';
import type { Logger } from '../log.js';
import type { ChannelKind, ChannelSender, Message } from '../ports/channel.port.js';
import type { Recipient, RenderBatch } from './batch-context.js';
import type { Outcome } from './deliver-row.js';
import type { LiveReplicas } from './live-replicas.js';
import type { PaceRule } from './pacer.js';
import type { ReplyRef } from '../inbound/reply-address.js';

/**
 * EARLY_SEND_MAX_SECONDS' default, in ms: covers a lump of 3,000 reminders at Slack's 5 a second
 * (docs/delivery-engine.md, "The lead"). For config.ts and for a service made without settings.
 */
export const DEFAULT_EARLY_SEND_MAX_MS = 600_000;

export interface DispatcherOptions {
  db: Kysely<Database>;
  senders: ReadonlyMap<ChannelKind, ChannelSender>;
  clock: Clock;
  log: Logger;
  workerId: string;
  batchSize?: number;
  /**
   * PostgreSQL: opens the session of its own the dispatcher claims on (advisory locks,
   * claim-locks.ts), which other dispatchers of the same database respect. Without it the
   * dispatcher is the only one there can be (PGlite): its in-process set of rows in flight is the claim.
   */
  openSession?: () => Promise<DedicatedSession>;
  /** One send may take this long before it counts as a temporary failure (default 30 s). */
  sendTimeoutMs?: number;
  random?: () => number;
  /** Turns a stored reference (payload with a `type`) into the message; undefined = no longer relevant. */
  render?: (row: DeliveryRow, language: Recipient['language'], batch: RenderBatch) => Promise<Message | undefined>;
  /**
   * Rows whose message holds nothing bound to one person (no name, signed link, form or RSVP):
   * these alone are rendered once per payload and language and shared. Every other row is
   * rendered for its own person (issue: a check-in carried another coordinator's form link).
   */
  shareable?: (row: DeliveryRow) => boolean;
  onResult?: (row: DeliveryRow, outcome: Outcome, channel: string | undefined) => void;
  /** A platform refused a send for pace (429, SMTP 421/451): counted on /metrics (delivery-metrics.ts `pacingMetrics`). */
  onRefused?: (channel: ChannelKind, code: string) => void;
  /** The person's preferences and unsubscribe links, added to every e-mail (src/preferences/preference-links.ts). */
  emailLinks?: (personId: number, deliveryKind: string, batch?: RenderBatch) => Promise<Pick<Message, 'preferencesUrl' | 'unsubscribeUrl'>>;
  /**
   * The signed reply address of one delivery to one person (src/inbound/reply-address.ts): an
   * e-mail's Reply-To and envelope sender. Asked per row, after rendering, so a rendering shared
   * by several rows never carries one person's address to another.
   */
  replyAddress?: (ref: ReplyRef) => string | undefined;
  /** Rate limits per platform and address (platform-pacing.ts); none when absent. */
  pacing?: (channel: ChannelKind, address: string) => PaceRule[];
  /** The dispatchers sharing the limits (PostgreSQL); each paces at its share. Alone when absent (PGlite). */
  replicas?: LiveReplicas;
  /** After a platform refused for pace, each quiet period this long gives back an eighth of the pace (PACE_RECOVERY_SECONDS; default 10 s). */
  paceRecoveryMs?: number;
  /** A paced send waits at most this long in the batch (default 1 s); a longer wait is a reschedule. */
  maxPaceWaitMs?: number;
  /**
   * How far ahead of their due time rows that may go early (reminders with an `earliest_at`) may
   * be claimed, at most (EARLY_SEND_MAX_SECONDS in ms; the lead itself is sized per lane and
   * claim, early-sends.ts). 0 or absent: nothing goes early.
   */
  earlySendMaxMs?: number;
  /** How a short pacing wait is waited (tests record it instead). */
  sleep?: (ms: number) => Promise<void>;
}
