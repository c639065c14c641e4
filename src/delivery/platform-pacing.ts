import type { ChannelKind } from '../ports/channel.port.js';
import type { PaceRule } from './pacer.js';

/**
 * How fast each platform lets one app send, for the whole deployment: with N live replicas on
 * one PostgreSQL each paces at a 1/N share (live-replicas.ts, pacer.ts `shareOf`).
 *
 * - Slack chat.postMessage (a "special" tier): about 1 message per second per channel, short
 *   bursts allowed, and a workspace-wide limit of several hundred a minute
 *   (https://api.slack.com/apis/rate-limits). A direct message to a user id is one channel.
 * - Bot Framework / Teams: per bot per conversation 7 per second, 8 per 2 s, 60 per 30 s and
 *   1,800 per hour; about 50 requests a second per app and tenant
 *   (https://learn.microsoft.com/microsoftteams/platform/bots/how-to/rate-limit).
 * - E-mail: nodemailer keeps three pooled SMTP connections (adapters/email); relays limit the
 *   rate, not the connection, so the whole channel is held to a rate most relays accept.
 *   An operator whose relay wants less can add nodemailer's `rateLimit` to SMTP_URL.
 */
export function platformPacing(channel: ChannelKind, address: string): PaceRule[] {
  switch (channel) {
    case 'slack':
      return [
        { key: 'slack', perSecond: 5, burst: 10 },
        { key: `slack:${address}`, perSecond: 1, burst: 2 },
      ];
    case 'teams':
      return [
        { key: 'teams', perSecond: 50, burst: 50 },
        // The address is the whole conversation reference; its conversation id is the key.
        { key: `teams:${conversationId(address)}`, perSecond: 1, burst: 3 },
      ];
    case 'email':
      return [{ key: 'email', perSecond: 20, burst: 20 }];
    default:
      return [];
  }
}

function conversationId(address: string): string {
  try {
    return String((JSON.parse(address) as { conversation?: { id?: string } }).conversation?.id ?? address);
  } catch {
    return address;
  }
}
