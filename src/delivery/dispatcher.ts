import { sql, type Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database, DeliveryRow } from '../db/tables.js';
import type { Logger } from '../log.js';
import type { ChannelKind, ChannelSender, Message, SendResult } from '../ports/channel.port.js';
import { MAX_TEMPORARY_ATTEMPTS, retryDelayMs } from './backoff.js';
import { isMutedKind } from '../preferences/preferences.js';
import { recipientsOf, type Recipient } from './batch-context.js';
import { DEFAULT_QUIET_HOURS } from '../reminders/quiet-hours.js';

/** The person a row is for, or the place (a channel) it names itself. */
function recipientOf(row: DeliveryRow, people: Map<number, Recipient>): Recipient | undefined {
  if (row.place_address) {
    const channel = (row.channels as ChannelKind[])[0]!;
    return {
      id: 0,
      email: '',
      language: row.place_language === 'en' ? 'en' : 'pl',
      preferences: { mutedKinds: [], mutedChannels: [], quiet: DEFAULT_QUIET_HOURS },
      addresses: { [channel]: row.place_address },
    };
  }
  return row.person_id === null ? undefined : people.get(row.person_id);
}

export interface DispatchReport {
  sent: number;
  retried: number;
  failed: number;
  expired: number;
}

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
  render?: (row: DeliveryRow, language: Recipient['language']) => Promise<Message | undefined>;
  onResult?: (row: DeliveryRow, outcome: 'sent' | 'retried' | 'failed' | 'expired', channel: string | undefined) => void;
}

/**
 * Drains the outbox: claims due rows with FOR UPDATE SKIP LOCKED (replicas never take the same
 * row), sends each through its channel, records the result. A crash between sending and
 * recording resends at most the rows of that one batch, after the lease; nothing is lost.
 */
export class Dispatcher {
  constructor(private readonly options: DispatcherOptions) {}

  /** One batch; call again while it returns work. */
  async runOnce(): Promise<DispatchReport> {
    const report: DispatchReport = { sent: 0, retried: 0, failed: 0, expired: 0 };
    const rows = await this.claim();
    if (rows.length === 0) return report;
    const recipients = await recipientsOf(this.options.db, rows);
    // Many rows of a batch carry the same reference (one meeting, many members): render each once per language.
    const rendered = new Map<string, Promise<Message | undefined>>();
    const render = (row: DeliveryRow, language: Recipient['language']) => {
      const key = `${JSON.stringify(row.payload)}|${language}`;
      if (!rendered.has(key)) rendered.set(key, this.options.render ? this.options.render(row, language) : Promise.resolve(row.payload as Message));
      return rendered.get(key)!;
    };
    await Promise.all(rows.map((row) => this.deliver(row, recipientOf(row, recipients), render, report)));
    return report;
  }

  /** Runs batches until nothing is due. */
  async drain(): Promise<DispatchReport> {
    const total: DispatchReport = { sent: 0, retried: 0, failed: 0, expired: 0 };
    for (;;) {
      const r = await this.runOnce();
      for (const k of Object.keys(total) as (keyof DispatchReport)[]) total[k] += r[k];
      if (r.sent + r.retried + r.failed + r.expired === 0) return total;
    }
  }

  private async claim(): Promise<DeliveryRow[]> {
    const { db, clock, workerId } = this.options;
    const now = clock.now();
    const lease = new Date(now.getTime() - (this.options.leaseMs ?? 300_000));
    const result = await sql<DeliveryRow>`
      update deliveries set state = 'sending', claimed_by = ${workerId}, claimed_at = ${now}, updated_at = ${now}
      where id in (
        select id from deliveries
        where (state = 'pending' and next_attempt_at <= ${now}) or (state = 'sending' and claimed_at < ${lease})
        order by next_attempt_at
        limit ${this.options.batchSize ?? 100}
        for update skip locked
      )
      returning *`.execute(db);
    return result.rows.map((r) => ({ ...r, id: Number(r.id) }));
  }

  private async deliver(
    row: DeliveryRow,
    recipient: Recipient | undefined,
    render: (row: DeliveryRow, language: Recipient['language']) => Promise<Message | undefined>,
    report: DispatchReport,
  ): Promise<void> {
    const now = this.options.clock.now();
    if (row.expires_at && row.expires_at <= now) {
      await this.finish(row, { state: 'expired', last_error: 'expired before it could be sent' });
      report.expired++;
      return this.options.onResult?.(row, 'expired', undefined);
    }
    const preferences = recipient?.preferences;
    if (preferences && isMutedKind(preferences, row.kind)) {
      await this.finish(row, { state: 'cancelled', last_error: 'muted by the person' });
      return;
    }
    const message = recipient ? await render(row, recipient.language) : undefined;
    if (!message) {
      await this.finish(row, { state: 'cancelled', last_error: 'no longer relevant when it came to be sent' });
      return;
    }
    const channels = row.channels as ChannelKind[];
    const channel = channels[row.channel_index];
    const result = preferences?.mutedChannels.includes(channel!)
      ? ({ ok: false, permanent: true, reason: 'the person turned this channel off' } as const)
      : await this.send(channel, recipient!.addresses[channel!], message);
    if (result.ok) {
      await this.finish(row, { state: 'sent', sent_at: now, sent_channel: channel ?? null, provider_id: result.providerId ?? null, last_error: null });
      report.sent++;
      return this.options.onResult?.(row, 'sent', channel);
    }
    const attempts = row.attempts + 1;
    const nextChannel = row.channel_index + 1 < channels.length;
    if (!result.permanent && attempts < MAX_TEMPORARY_ATTEMPTS) {
      const at = new Date(now.getTime() + retryDelayMs(attempts, result.retryAfterMs, this.options.random));
      await this.finish(row, { state: 'pending', attempts, next_attempt_at: at, last_error: `${channel}: ${result.reason}` });
      report.retried++;
      return this.options.onResult?.(row, 'retried', channel);
    }
    if (nextChannel) {
      // Fall back along the person's channels, right away.
      await this.finish(row, { state: 'pending', attempts: 0, channel_index: row.channel_index + 1, next_attempt_at: now, last_error: `${channel}: ${result.reason}` });
      report.retried++;
      return this.options.onResult?.(row, 'retried', channel);
    }
    await this.finish(row, { state: 'failed', attempts, last_error: `${channel}: ${result.reason}` });
    report.failed++;
    this.options.log.warn({ delivery: row.id, kind: row.kind, reason: result.reason }, 'delivery failed for good');
    this.options.onResult?.(row, 'failed', channel);
  }

  private async send(channel: ChannelKind | undefined, address: string | undefined, message: Message): Promise<SendResult> {
    const sender = channel && this.options.senders.get(channel);
    if (!channel || !sender) return { ok: false, permanent: true, reason: `channel ${channel ?? '(none)'} is not turned on` };
    if (!address) return { ok: false, permanent: true, reason: `the person has no ${channel} link yet` };
    try {
      // The superseded chat message is updated too, where the platform allows; its failure only loses the tidy-up.
      if (message.replaces && sender.update) {
        const updated = await sender.update(address, message.replaces, { ...message, replaces: undefined }).catch((e: unknown) => ({ ok: false, reason: String(e) }) as const);
        if (!updated.ok) this.options.log.info({ channel, reason: updated.reason }, 'the earlier message could not be updated in place');
      }
      return await sender.send(address, { ...message, replaces: undefined });
    } catch (error) {
      // Senders should not throw; if one does, treat it as temporary and keep the row.
      return { ok: false, permanent: false, reason: error instanceof Error ? error.message : String(error) };
    }
  }

  private async finish(row: DeliveryRow, changes: Partial<Omit<DeliveryRow, 'id' | 'payload' | 'channels'>>): Promise<void> {
    await this.options.db
      .updateTable('deliveries')
      .set({ ...(changes as object), claimed_by: null, claimed_at: null, updated_at: this.options.clock.now() })
      .where('id', '=', row.id)
      .where('claimed_by', '=', this.options.workerId)
      .execute();
  }
}
