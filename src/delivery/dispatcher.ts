import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database, DeliveryRow } from '../db/tables.js';
import type { Logger } from '../log.js';
import type { ChannelKind, ChannelSender, Message } from '../ports/channel.port.js';
import { isMutedKind } from '../preferences/preferences.js';
import { MAX_TEMPORARY_ATTEMPTS, retryDelayMs } from './backoff.js';
import { RenderBatch, recipientsOf, type Recipient } from './batch-context.js';
import { sendThrough } from './channel-send.js';
import { claimDue, recordOutcomes, type Changes } from './claims.js';
import type { LiveReplicas } from './live-replicas.js';
import { Pacer, shareOf, type PaceRule } from './pacer.js';
import { PLACE_NOT_LINKED, placeAddressesOf, recipientOf } from './places.js';

export interface DispatchReport {
  sent: number;
  retried: number;
  failed: number;
  expired: number;
  /** Muted or no longer relevant. */
  cancelled: number;
  /** Held back by pacing: back in the outbox, due a little later, no attempt counted. */
  deferred: number;
}

const emptyReport = (): DispatchReport => ({ sent: 0, retried: 0, failed: 0, expired: 0, cancelled: 0, deferred: 0 });

export interface DispatcherOptions {
  db: Kysely<Database>;
  senders: ReadonlyMap<ChannelKind, ChannelSender>;
  clock: Clock;
  log: Logger;
  workerId: string;
  batchSize?: number;
  /** A claimed row whose worker died is handed out again after this long. */
  leaseMs?: number;
  random?: () => number;
  /** Turns a stored reference (payload with a `type`) into the message; undefined = no longer relevant. */
  render?: (row: DeliveryRow, language: Recipient['language'], batch: RenderBatch) => Promise<Message | undefined>;
  onResult?: (row: DeliveryRow, outcome: 'sent' | 'retried' | 'failed' | 'expired', channel: string | undefined) => void;
  /** The person's preferences and unsubscribe links, added to every e-mail (src/preferences/preference-links.ts). */
  emailLinks?: (personId: number, deliveryKind: string) => Promise<Pick<Message, 'preferencesUrl' | 'unsubscribeUrl'>>;
  /** Rate limits per platform and address (platform-pacing.ts); none when absent. */
  pacing?: (channel: ChannelKind, address: string) => PaceRule[];
  /** The dispatchers sharing the limits (PostgreSQL); each paces at its share. Alone when absent (PGlite). */
  replicas?: LiveReplicas;
  /** A paced send waits at most this long in the batch (default 1 s); a longer wait is a reschedule. */
  maxPaceWaitMs?: number;
  /** How a short pacing wait is waited (tests record it instead). */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Drains the outbox: claims due rows with FOR UPDATE SKIP LOCKED (replicas never take the same
 * row), sends each through its channel, records the result. A crash between sending and
 * recording resends at most the rows of that one batch, after the lease; nothing is lost.
 */
export class Dispatcher {
  private readonly pacer: Pacer;

  constructor(private readonly options: DispatcherOptions) {
    this.pacer = new Pacer(options.clock);
  }

  /** One batch; call again while it returns work. */
  async runOnce(): Promise<DispatchReport> {
    const report = emptyReport();
    // Before claiming: a failed heartbeat then leaves no claimed row waiting out its lease.
    await this.options.replicas?.refresh();
    const { db, clock, workerId } = this.options;
    const rows = await claimDue(db, { workerId, now: clock.now(), leaseMs: this.options.leaseMs ?? 300_000, batchSize: this.options.batchSize ?? 100 });
    if (rows.length === 0) return report;
    const recipients = await recipientsOf(db, rows);
    const placeAddress = await placeAddressesOf(db, rows);
    const batch = new RenderBatch(rows);
    // Many rows of a batch carry the same reference (one meeting, many members): render each once per language.
    const rendered = new Map<string, Promise<Message | undefined>>();
    const render = (row: DeliveryRow, language: Recipient['language']) => {
      const key = `${JSON.stringify(row.payload)}|${language}`;
      if (!rendered.has(key)) rendered.set(key, this.options.render ? this.options.render(row, language, batch) : Promise.resolve(row.payload as Message));
      return rendered.get(key)!;
    };
    const finished: [DeliveryRow, Changes][] = [];
    const done = (row: DeliveryRow, changes: Changes) => void finished.push([row, changes]);
    await Promise.all(rows.map((row) => this.deliver(row, recipientOf(row, recipients, placeAddress), render, report, done)));
    await recordOutcomes(db, workerId, clock.now(), finished);
    return report;
  }

  /** Runs batches until nothing is due. */
  async drain(): Promise<DispatchReport> {
    const total = emptyReport();
    for (;;) {
      const r = await this.runOnce();
      let claimed = 0;
      for (const k of Object.keys(total) as (keyof DispatchReport)[]) {
        total[k] += r[k];
        claimed += r[k];
      }
      if (claimed === 0) return total;
    }
  }

  private async deliver(
    row: DeliveryRow,
    recipient: Recipient | undefined,
    render: (row: DeliveryRow, language: Recipient['language']) => Promise<Message | undefined>,
    report: DispatchReport,
    done: (row: DeliveryRow, changes: Changes) => void,
  ): Promise<void> {
    const now = this.options.clock.now();
    if (row.expires_at && row.expires_at <= now) {
      done(row, { state: 'expired', last_error: 'expired before it could be sent' });
      report.expired++;
      return this.options.onResult?.(row, 'expired', undefined);
    }
    const preferences = recipient?.preferences;
    if (preferences && isMutedKind(preferences, row.kind)) {
      done(row, { state: 'cancelled', last_error: 'muted by the person' });
      report.cancelled++;
      return;
    }
    const channels = row.channels as ChannelKind[];
    const channel = channels[row.channel_index];
    const address = channel && recipient?.addresses[channel];
    const pace = channel && address && this.options.senders.has(channel) && !preferences?.mutedChannels.includes(channel);
    // Paced before it is rendered: a row put back for later would otherwise be rendered for nothing.
    if (pace && !(await this.paced(row, channel, address, now, done))) {
      report.deferred++;
      return;
    }
    const message = recipient ? await render(row, recipient.language) : undefined;
    if (!message) {
      done(row, { state: 'cancelled', last_error: 'no longer relevant when it came to be sent' });
      report.cancelled++;
      return;
    }
    const links = channel === 'email' && this.options.emailLinks ? await this.options.emailLinks(recipient!.id, row.kind) : undefined;
    const result = preferences?.mutedChannels.includes(channel!)
      ? ({ ok: false, permanent: true, reason: 'the person turned this channel off' } as const)
      : row.place_address && !address && channel && this.options.senders.has(channel)
        ? ({ ok: false, permanent: true, reason: PLACE_NOT_LINKED } as const)
        : await sendThrough(this.options.senders, this.options.log, channel, recipient!.addresses[channel!], links ? { ...message, ...links } : message);
    if (result.ok) {
      done(row, { state: 'sent', sent_at: this.options.clock.now(), sent_channel: channel ?? null, provider_id: result.providerId ?? null, last_error: null });
      report.sent++;
      return this.options.onResult?.(row, 'sent', channel);
    }
    const attempts = row.attempts + 1;
    const nextChannel = row.channel_index + 1 < channels.length;
    if (!result.permanent && attempts < MAX_TEMPORARY_ATTEMPTS) {
      const at = new Date(now.getTime() + retryDelayMs(attempts, result.retryAfterMs, this.options.random));
      done(row, { state: 'pending', attempts, next_attempt_at: at, last_error: `${channel}: ${result.reason}` });
      report.retried++;
      return this.options.onResult?.(row, 'retried', channel);
    }
    if (nextChannel) {
      // Fall back along the person's channels, right away.
      done(row, { state: 'pending', attempts: 0, channel_index: row.channel_index + 1, next_attempt_at: now, last_error: `${channel}: ${result.reason}` });
      report.retried++;
      return this.options.onResult?.(row, 'retried', channel);
    }
    done(row, { state: 'failed', attempts, last_error: `${channel}: ${result.reason}` });
    report.failed++;
    this.options.log.warn({ delivery: row.id, kind: row.kind, reason: result.reason }, 'delivery failed for good');
    this.options.onResult?.(row, 'failed', channel);
  }

  /** True when the send may go (after a short wait); false when it was put back for later. */
  private async paced(row: DeliveryRow, channel: ChannelKind, address: string, now: Date, done: (row: DeliveryRow, changes: Changes) => void): Promise<boolean> {
    const rules = this.options.pacing?.(channel, address) ?? [];
    if (rules.length === 0) return true;
    const joining = this.options.replicas?.joiningUntil();
    if (joining) {
      done(row, { state: 'pending', next_attempt_at: joining });
      return false;
    }
    const { waitMs, booked } = this.pacer.reserve(shareOf(rules, this.options.replicas?.count ?? 1), this.options.maxPaceWaitMs ?? 1000);
    if (!booked) {
      done(row, { state: 'pending', next_attempt_at: new Date(now.getTime() + waitMs) });
      return false;
    }
    if (waitMs > 0) await (this.options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))))(waitMs);
    return true;
  }
}
