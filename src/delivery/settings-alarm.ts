import type { Kysely } from 'kysely';
import { preview } from '../domain/preview.js';
import { Gauge, type Registry } from 'prom-client';
import type { Clock } from '../clock.js';
import type { Database } from '../db/tables.js';
import type { Logger } from '../log.js';
import type { ChannelKind, ChannelSender, Message, SendResult } from '../ports/channel.port.js';
import { enqueue } from './outbox.js';
import { channelName } from '../i18n/delivery-reasons.js';

export interface SettingsAlarmOptions {
  db: Kysely<Database>;
  clock: Clock;
  log: Logger;
  registry?: Registry;
}

const texts = {
  pl: (channel: string, reason: string): Message => ({
    language: 'pl',
    title: `Kooperator: kanał ${channelName(channel, 'pl')} odrzuca nasze ustawienia`,
    text: `Kanał ${channelName(channel, 'pl')} odrzuca dane logowania bota (szczegóły techniczne: ${reason}). Wiadomości czekają w kolejce i zostaną wysłane po poprawieniu ustawień; jeśli to potrwa, pójdą innymi kanałami odbiorców.`,
  }),
  en: (channel: string, reason: string): Message => ({
    language: 'en',
    title: `Kooperator: the ${channelName(channel, 'en')} channel refuses our settings`,
    text: `${channelName(channel, 'en')} refuses the bot's credentials (technical details: ${reason}). Messages wait in the outbox and go once the settings are fixed; if that takes long, they go by the recipients' other channels.`,
  }),
};

/**
 * A channel whose platform refuses our own settings (a wrong SMTP password, a revoked Slack
 * token): the messages stay in the outbox as temporary failures, which alone would be silent
 * for hours. So the first refusal raises an alarm, once until a send on that channel works
 * again: one error log line, the gauge `kooperator_channel_settings_refused{channel}` at 1, and
 * a message to each admin (staff role admin) through their other channels, once a day at most.
 */
export class SettingsAlarm {
  private readonly raised = new Set<ChannelKind>();
  private readonly gauge?: Gauge<'channel'>;

  constructor(private readonly options: SettingsAlarmOptions) {
    if (options.registry) {
      this.gauge = new Gauge({
        name: 'kooperator_channel_settings_refused',
        help: '1 while a channel refuses our credentials or token (messages wait in the outbox), by channel',
        labelNames: ['channel'] as const,
        registers: [options.registry],
      });
    }
  }

  isRaised(channel: ChannelKind): boolean {
    return this.raised.has(channel);
  }

  async raise(channel: ChannelKind, reason: string): Promise<void> {
    if (this.raised.has(channel)) return;
    this.raised.add(channel);
    this.gauge?.set({ channel }, 1);
    const { log } = this.options;
    log.error({ channel, reason }, `${channel} refuses our settings: messages wait in the outbox until they are fixed`);
    try {
      const told = await this.tellAdmins(channel, reason);
      if (told === 0) log.warn({ channel }, 'no admin can be told through another channel: watch the log and /metrics');
    } catch (error) {
      log.warn({ err: error, channel }, 'admins not told of the settings problem');
    }
  }

  clear(channel: ChannelKind): void {
    if (!this.raised.delete(channel)) return;
    this.gauge?.set({ channel }, 0);
    this.options.log.info({ channel }, `${channel} accepts our settings again`);
  }

  /** Returns how many admins a message was queued for. */
  private async tellAdmins(channel: ChannelKind, reason: string): Promise<number> {
    const { db, clock } = this.options;
    const now = clock.now();
    const admins = await db.selectFrom('people').select(['id', 'language', 'channels']).where('staff_role', '=', 'admin').where('removed_at', 'is', null).execute();
    const day = now.toISOString().slice(0, 10);
    const planned = admins
      .map((admin) => ({ admin, others: (admin.channels as ChannelKind[]).filter((c) => c !== channel) }))
      .filter(({ others }) => others.length > 0)
      .map(({ admin, others }) => ({
        key: `settings-alarm:${channel}:${day}:${admin.id}`,
        kind: 'settings_alarm',
        personId: admin.id,
        channels: others,
        payload: texts[admin.language](channel, preview(reason, 300)),
        dueAt: now,
      }));
    await enqueue(db, planned);
    return planned.length;
  }
}

/** The sender, reporting settings refusals to the alarm and clearing it when a send works. */
export function watchSettings(sender: ChannelSender, alarm: SettingsAlarm): ChannelSender {
  const seen = async (result: SendResult) => {
    if (result.ok) alarm.clear(sender.kind);
    else if (result.settings) await alarm.raise(sender.kind, result.reason);
    return result;
  };
  return {
    kind: sender.kind,
    // What the dispatcher reads off the sender itself: e-mail's SMTP connections (pacedSend books a
    // pace turn once one is free) and the send's signal (a client that honours it drops the request).
    ...(sender.concurrency !== undefined ? { concurrency: sender.concurrency } : {}),
    send: async (address, message, options) => seen(await sender.send(address, message, options)),
    ...(sender.update ? { update: async (address: string, providerId: string, message: Message) => seen(await sender.update!(address, providerId, message)) } : {}),
  };
}
