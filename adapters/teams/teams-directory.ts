import { TeamsInfo, type TurnContext } from 'botbuilder';
import type { Logger } from '../../src/log.js';
import type { Sender } from '../../src/ports/channel.port.js';
import { senderOf } from './teams-incoming.js';

const TIMEOUT = Symbol('timeout');

interface Cached {
  email: string;
  until: number;
}

/**
 * Who wrote: TeamsInfo.getMember reports the e-mail the core matches people by. Answers are
 * kept per AAD object id for an hour, so a conversation costs one lookup, not one per message;
 * failures are not kept (the next message asks again).
 */
export class TeamsDirectory {
  private readonly cache = new Map<string, Cached>();

  constructor(
    private readonly log: Logger,
    private readonly ttlMs = 60 * 60 * 1000,
    private readonly maxEntries = 10_000,
  ) {}

  /** The Sender for the activity's author; a lookup slower than timeoutMs counts as no e-mail. */
  async sender(context: TurnContext, timeoutMs: number): Promise<Sender> {
    return senderOf(context.activity, await this.email(context, timeoutMs));
  }

  private async email(context: TurnContext, timeoutMs: number): Promise<string | undefined> {
    const from = context.activity.from;
    if (!from?.id) return undefined;
    const key = from.aadObjectId ?? from.id;
    const cached = this.cache.get(key);
    if (cached && cached.until > Date.now()) return cached.email;
    let timer: NodeJS.Timeout | undefined;
    try {
      const lookup = TeamsInfo.getMember(context, from.id).then((member) => member.email ?? member.userPrincipalName ?? undefined);
      const late = new Promise<typeof TIMEOUT>((resolve) => (timer = setTimeout(() => resolve(TIMEOUT), timeoutMs)));
      lookup.catch(() => undefined); // a lookup that loses the race must not reject unhandled
      const email = await Promise.race([lookup, late]);
      if (email === TIMEOUT) {
        this.log.warn({ timeoutMs }, 'teams member lookup too slow: the person is matched by a stored link only');
        return undefined;
      }
      if (email) this.remember(key, email);
      return email;
    } catch (error) {
      const e = error as { statusCode?: number; code?: string };
      this.log.warn({ status: e.statusCode, code: e.code }, 'teams member lookup failed: the person is matched by a stored link only');
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  /** The channel ids of the activity's team (TeamsInfo.getTeamChannels); none when the lookup fails or is slower than timeoutMs. */
  async channelIds(context: TurnContext, timeoutMs: number): Promise<string[]> {
    const teamId = (context.activity.channelData as { team?: { id?: string } } | undefined)?.team?.id;
    if (!teamId) return [];
    let timer: NodeJS.Timeout | undefined;
    try {
      const lookup = TeamsInfo.getTeamChannels(context, teamId).then((channels) => channels.map((c) => c.id).filter((id): id is string => Boolean(id)));
      const late = new Promise<typeof TIMEOUT>((resolve) => (timer = setTimeout(() => resolve(TIMEOUT), timeoutMs)));
      lookup.catch(() => undefined); // a lookup that loses the race must not reject unhandled
      const ids = await Promise.race([lookup, late]);
      if (ids !== TIMEOUT) return ids;
      this.log.warn({ timeoutMs }, 'teams channel list too slow: channels are learned when someone writes in them');
    } catch (error) {
      const e = error as { statusCode?: number; code?: string };
      this.log.warn({ status: e.statusCode, code: e.code }, 'teams channel list failed: channels are learned when someone writes in them');
    } finally {
      clearTimeout(timer);
    }
    return [];
  }

  private remember(key: string, email: string): void {
    if (this.cache.size >= this.maxEntries) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, { email, until: Date.now() + this.ttlMs });
  }
}
