import type { webApi } from '@slack/bolt';
import type { Logger } from '../../src/log.js';
import type { Sender } from '../../src/ports/channel.port.js';

interface Entry {
  email: Promise<string | undefined>;
  expires: number;
}

/**
 * Who a Slack user is, as the core needs it: the e-mail from users.info (scope
 * users:read.email), kept in memory for an hour so a busy person's commands cost one Web API
 * call, not one each. Concurrent commands of one person share the same call. Only memory: a
 * stranger's address is never written anywhere and falls out of the cache.
 */
export class SlackDirectory {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly client: webApi.WebClient,
    private readonly log: Logger,
    private readonly ttlMs = 60 * 60 * 1000,
    private readonly maxEntries = 10_000,
  ) {}

  async sender(userId: string): Promise<Sender> {
    const email = await this.email(userId);
    return { channel: 'slack', externalId: userId, address: userId, ...(email ? { email } : {}) };
  }

  email(userId: string): Promise<string | undefined> {
    const now = Date.now();
    const hit = this.entries.get(userId);
    if (hit && hit.expires > now) return hit.email;
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    const email = this.lookUp(userId);
    this.entries.set(userId, { email, expires: now + this.ttlMs });
    return email;
  }

  private async lookUp(userId: string): Promise<string | undefined> {
    try {
      const result = await this.client.users.info({ user: userId });
      if (result.user?.deleted) return undefined;
      return result.user?.profile?.email ?? undefined;
    } catch (error) {
      // Not cached: the next command asks again. Without an e-mail the core still finds
      // people it linked before, by their Slack id.
      this.entries.delete(userId);
      this.log.warn({ err: error, slackUser: userId }, 'users.info failed');
      return undefined;
    }
  }
}
