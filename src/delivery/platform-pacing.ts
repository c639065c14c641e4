import type { ChannelKind } from '../ports/channel.port.js';
import type { PaceRule } from './pacer.js';

/** A rate with bursts, as one setting pair gives it (`…_PER_SECOND`, `…_BURST`). */
export interface Pace {
  perSecond: number;
  burst: number;
}

/** How fast the service sends on each platform, for the whole deployment (docs/delivery-engine.md, "Pacing"). */
export interface PacingSettings {
  slack: Pace;
  slackChannel: Pace;
  teams: Pace;
  teamsConversation: Pace;
  email: Pace;
  /** After a refusal, each quiet period this long gives back an eighth of the pace (pacer.ts). */
  recoveryMs: number;
}

/**
 * The defaults, from what each platform documents. With N live replicas on one PostgreSQL each
 * paces at a 1/N share (live-replicas.ts, pacer.ts `shareOf`); a platform that refuses anyway
 * (429, SMTP 421/451) lowers the pace of what it refused until it recovers (pacer.ts `refused`).
 *
 * - Slack chat.postMessage (a "special" tier): "1 message per second per channel, short bursts
 *   allowed", and a workspace-wide limit of "several hundred messages per minute"
 *   (https://api.slack.com/apis/rate-limits): 5 a second is 300 a minute. A direct message to
 *   a user id is one channel.
 * - Bot Framework / Teams: per bot per conversation 7 per second, 8 per 2 s, 60 per 30 s and
 *   1,800 per hour; 50 requests a second per app and tenant
 *   (https://learn.microsoft.com/microsoftteams/platform/bots/how-to/rate-limit). One a second
 *   with bursts of 3 stays within the 2 s and 30 s windows (3 + 2 ≤ 8, 3 + 30 ≤ 60).
 * - E-mail: relays limit the rate per sending account, and publish no one figure; 20 a second
 *   is above Amazon SES's starting 14 a second, below what a dedicated relay takes. nodemailer
 *   keeps three pooled connections (adapters/email; `maxConnections` in SMTP_URL).
 */
export const DEFAULT_PACING: PacingSettings = {
  slack: { perSecond: 5, burst: 10 },
  slackChannel: { perSecond: 1, burst: 2 },
  teams: { perSecond: 50, burst: 50 },
  teamsConversation: { perSecond: 1, burst: 3 },
  email: { perSecond: 20, burst: 20 },
  recoveryMs: 10_000,
};

/** The rules of one send, widest first (the platform, then its channel or conversation): pacer.ts relies on that order. */
export function platformPacing(channel: ChannelKind, address: string, settings: PacingSettings = DEFAULT_PACING): PaceRule[] {
  switch (channel) {
    case 'slack':
      return [
        { key: 'slack', ...settings.slack },
        { key: `slack:${address}`, ...settings.slackChannel },
      ];
    case 'teams':
      return [
        { key: 'teams', ...settings.teams },
        // The address is the whole conversation reference; its conversation id is the key.
        { key: `teams:${conversationId(address)}`, ...settings.teamsConversation },
      ];
    case 'email':
      return [{ key: 'email', ...settings.email }];
    default:
      return [];
  }
}

/** `platformPacing` with these settings, as DispatcherOptions.pacing takes it. */
export const pacingFrom = (settings: PacingSettings) => (channel: ChannelKind, address: string) => platformPacing(channel, address, settings);

function conversationId(address: string): string {
  try {
    return String((JSON.parse(address) as { conversation?: { id?: string } }).conversation?.id ?? address);
  } catch {
    return address;
  }
}
