import type { Clock } from '../clock.js';
import type { DeliveryRow } from '../db/tables.js';
import type { ChannelKind, Message, SendResult } from '../ports/channel.port.js';
import { isMutedKind } from '../preferences/preferences.js';
import { FREE_REFUSALS_MS, MAX_TEMPORARY_ATTEMPTS, namedWaitMs, retryDelayMs, usesAnAttempt } from './backoff.js';
import type { Recipient } from './batch-context.js';
import { bouncedReason } from '../inbound/bounces.js';
import type { Changes } from './claims.js';
import { PLACE_NOT_LINKED } from './places.js';

export interface DispatchReport {
  sent: number;
  retried: number;
  failed: number;
  expired: number;
  /** Muted or no longer relevant. */
  cancelled: number;
  /** Held back by pacing: back in the outbox, due a little later, no attempt counted. */
  deferred: number;
  /** Handed back untried because the dispatcher is stopping: due at once at the next start. */
  released: number;
}

export const emptyReport = (): DispatchReport => ({ sent: 0, retried: 0, failed: 0, expired: 0, cancelled: 0, deferred: 0, released: 0 });

export type Outcome = 'sent' | 'retried' | 'failed' | 'expired';

/** What deliverRow needs from the dispatcher for one row. */
export interface RowSteps {
  /** When the row was taken up; a send's own time is `clock.now()` once it is done. */
  now: Date;
  clock: Clock;
  recipient: Recipient | undefined;
  senders: ReadonlySet<ChannelKind>;
  random?: () => number;
  /** True once the dispatcher is stopping: nothing more is sent, what is not sent yet goes back. */
  stopping(): boolean;
  /** Books the send with the pacer; false when the row was put back for later (already recorded). */
  paced(channel: ChannelKind, address: string): Promise<boolean>;
  render(language: Recipient['language']): Promise<Message | undefined>;
  send(channel: ChannelKind | undefined, address: string | undefined, message: Message): Promise<SendResult>;
  emailLinks?: (personId: number, deliveryKind: string) => Promise<Pick<Message, 'preferencesUrl' | 'unsubscribeUrl'>>;
  /** This row's signed reply address for its person (src/inbound/reply-address.ts): made per row, never shared. */
  replyAddress?: () => string | undefined;
  done(changes: Changes, counted: keyof DispatchReport, outcome?: Outcome, channel?: ChannelKind): void;
}

/**
 * One row, from claimed to an outcome: expired, muted, paced, rendered, sent, and the result
 * turned into the row's next state. Every path ends in exactly one `done`.
 */
export async function deliverRow(row: DeliveryRow, s: RowSteps): Promise<void> {
  if (row.expires_at && row.expires_at <= s.now) return s.done({ state: 'expired', last_error: 'expired before it could be sent' }, 'expired', 'expired');
  const { recipient } = s;
  const preferences = recipient?.preferences;
  if (preferences && isMutedKind(preferences, row.kind)) return s.done({ state: 'cancelled', last_error: 'muted by the person' }, 'cancelled');
  const channels = row.channels as ChannelKind[];
  const channel = channels[row.channel_index];
  const address = channel && recipient?.addresses[channel];
  const mutedChannel = channel !== undefined && preferences?.mutedChannels.includes(channel);
  // An address that bounced for good lately is skipped: the person's next channel is used (src/inbound/bounces.ts).
  const bounced = channel === 'email' && address ? recipient?.failingEmail?.find((f) => f.address === address.toLowerCase()) : undefined;
  const pace = channel && address && s.senders.has(channel) && !mutedChannel && !bounced;
  // Paced before it is rendered: a row put back for later would otherwise be rendered for nothing.
  if (pace && !(await s.paced(channel, address))) return;
  if (s.stopping()) return s.done({ state: 'pending' }, 'released');
  let message: Message | undefined;
  try {
    message = recipient ? await s.render(recipient.language) : undefined;
  } catch (error) {
    // This row's own failure (issue: one bad row sent its whole batch twice): the others go on.
    return s.done({ state: 'failed', attempts: row.attempts + 1, last_error: `could not be rendered: ${error instanceof Error ? error.message : String(error)}` }, 'failed', 'failed', channel);
  }
  if (!message) return s.done({ state: 'cancelled', last_error: 'no longer relevant when it came to be sent' }, 'cancelled');
  if (s.stopping()) return s.done({ state: 'pending' }, 'released');
  // Again just before sending: pacing and rendering take time, and a meeting may begin meanwhile.
  if (row.expires_at && row.expires_at <= s.clock.now()) return s.done({ state: 'expired', last_error: 'expired before it could be sent' }, 'expired', 'expired');
  const links = channel === 'email' && s.emailLinks ? await s.emailLinks(recipient!.id, row.kind) : undefined;
  const replyAddress = channel === 'email' ? s.replyAddress?.() : undefined;
  const extra = links || replyAddress ? { ...links, ...(replyAddress ? { replyAddress } : {}) } : undefined;
  const result: SendResult = mutedChannel
    ? { ok: false, permanent: true, reason: 'the person turned this channel off' }
    : bounced
      ? { ok: false, permanent: true, reason: bouncedReason(bounced.status, bounced.diagnostic) }
    : row.place_address && !address && channel && s.senders.has(channel)
      ? { ok: false, permanent: true, reason: PLACE_NOT_LINKED }
      : await s.send(channel, recipient!.addresses[channel!], extra ? { ...message, ...extra } : message);
  if (result.ok) {
    return s.done({ state: 'sent', sent_at: s.clock.now(), sent_channel: channel ?? null, provider_id: result.providerId ?? null, last_error: null }, 'sent', 'sent', channel);
  }
  // Cut off by the stop: it may or may not have gone out; it is due again at the next start.
  if (s.stopping() && !result.permanent) return s.done({ state: 'pending', last_error: `${channel}: ${result.reason}` }, 'released');
  // A platform that names its wait (429 Retry-After) or refuses for pace has not refused the
  // message: no attempt used, until the row is FREE_REFUSALS_MS past due (backoff.ts).
  const after = s.clock.now();
  const free = !usesAnAttempt(result) && after.getTime() - row.due_at.getTime() < FREE_REFUSALS_MS;
  const attempts = row.attempts + (result.permanent || !free ? 1 : 0);
  if (!result.permanent && attempts < MAX_TEMPORARY_ATTEMPTS) {
    const named = namedWaitMs(result);
    const delay = free || named === undefined ? retryDelayMs(attempts, named, s.random) : Math.max(retryDelayMs(attempts, named, s.random), retryDelayMs(attempts, undefined, s.random));
    // Counted from the answer, not from when the row was taken up: a send that took longer
    // than the wait would otherwise be due again at once.
    const at = new Date(after.getTime() + delay);
    return s.done({ state: 'pending', attempts, next_attempt_at: at, last_error: `${channel}: ${result.reason}` }, 'retried', 'retried', channel);
  }
  if (row.channel_index + 1 < channels.length) {
    // Fall back along the person's channels, right away.
    const changes: Changes = { state: 'pending', attempts: 0, channel_index: row.channel_index + 1, next_attempt_at: s.now, last_error: `${channel}: ${result.reason}` };
    return s.done(changes, 'retried', 'retried', channel);
  }
  s.done({ state: 'failed', attempts, last_error: `${channel}: ${result.reason}` }, 'failed', 'failed', channel);
}
