import { JsonServer, type JsonAnswer } from './json-server.js';
import { Bucket, realTime, retryAfterSeconds, Tally, take, type Now, type Rate } from './limits.js';

export interface SlackLimits {
  /** chat.postMessage per channel (a DM to a user id is one channel). */
  perChannel: Rate;
  /** chat.postMessage for the whole workspace, whatever the channel. */
  workspace: Rate;
}

/**
 * Slack's documented limits for chat.postMessage (https://api.slack.com/apis/rate-limits,
 * "Posting messages"): "1 message per second per channel, short bursts allowed", and a
 * workspace-wide limit Slack gives as "several hundred messages per minute" (here 300 a
 * minute). The burst sizes are not published; these are what the fake tolerates.
 */
export const SLACK_LIMITS: SlackLimits = { perChannel: { perSecond: 1, burst: 3 }, workspace: { perSecond: 5, burst: 10 } };

export interface FakeSlackOptions {
  /** chat.postMessage's limits (SLACK_LIMITS unless given); 'none': every message is accepted. */
  limits?: SlackLimits | 'none';
  /** The fake's clock, in milliseconds (real time unless given). */
  now?: Now;
  /** The e-mail users.info gives for a user id; unknown users get `{"ok":true}` without a user. */
  emailOf?: (user: string) => string | undefined;
  /** How long idle connections are kept (see JsonServer). */
  keepAliveMs?: number;
}

/**
 * A Slack Web API on 127.0.0.1, the network edge of the tests and benchmarks that talk Slack.
 * It enforces chat.postMessage's limits the way Slack does (unless `limits: 'none'`): a request
 * beyond them gets HTTP 429, `Retry-After` in seconds and `{"ok":false,"error":"ratelimited"}`,
 * and nothing is posted. auth.test names a bot, users.info gives `emailOf`'s e-mail,
 * conversations.open a DM channel; every other method answers `{"ok":true}`. The service reaches
 * it through SLACK_API_URL (`${url}/api/`). The answers are cheap: nothing is recorded but counts.
 */
export class FakeSlack {
  readonly tally: Tally;
  /** Accepted messages per channel. */
  readonly posted = new Map<string, number>();
  private readonly limits: [Bucket, Bucket] | undefined;
  private readonly emailOf: (user: string) => string | undefined;
  private readonly http: JsonServer;
  private ts = 0;

  constructor(options: FakeSlackOptions = {}) {
    const { limits = SLACK_LIMITS, now = realTime } = options;
    this.limits = limits === 'none' ? undefined : [new Bucket(limits.perChannel, now), new Bucket(limits.workspace, now)];
    this.tally = new Tally(now);
    this.emailOf = options.emailOf ?? (() => undefined);
    this.http = new JsonServer((request) => this.answer(request.path.replace(/^\/api\//, ''), params(request.body, request.contentType)), options.keepAliveMs);
  }

  /** `http://127.0.0.1:<port>`, once started. */
  get url(): string {
    return this.http.url;
  }

  async start(): Promise<this> {
    await this.http.start();
    return this;
  }

  stop(): Promise<void> {
    return this.http.stop();
  }

  /** One Web API call: chat.postMessage is limited, the rest simply succeed. */
  answer(method: string, params: Record<string, string>): JsonAnswer {
    switch (method) {
      case 'chat.postMessage':
        return this.post(params.channel);
      case 'auth.test':
        return { status: 200, body: { ok: true, user_id: 'UBOT', bot_id: 'BBOT', team_id: 'T1' } };
      case 'users.info': {
        const email = this.emailOf(params.user ?? '');
        return { status: 200, body: email ? { ok: true, user: { id: params.user, profile: { email } } } : { ok: true } };
      }
      case 'conversations.open':
        return { status: 200, body: { ok: true, channel: { id: `D${params.users ?? params.user ?? 'X'}` } } };
      default:
        return { status: 200, body: { ok: true } };
    }
  }

  private post(channel: string | undefined): JsonAnswer {
    if (!channel) return { status: 200, body: { ok: false, error: 'channel_not_found' } };
    const waitMs = this.limits
      ? take([
          [this.limits[0], channel],
          [this.limits[1], 'workspace'],
        ])
      : 0;
    if (waitMs > 0) {
      this.tally.refuse();
      return { status: 429, headers: { 'retry-after': retryAfterSeconds(waitMs) }, body: { ok: false, error: 'ratelimited' } };
    }
    this.tally.accept();
    this.posted.set(channel, (this.posted.get(channel) ?? 0) + 1);
    // A DM to a user id is posted into the app's DM with them, a D… id.
    const posted = channel.startsWith('U') ? `D${channel.slice(1)}` : channel;
    return { status: 200, body: { ok: true, channel: posted, ts: `1700000000.${String(++this.ts).padStart(6, '0')}` } };
  }
}

function params(raw: string, type: string | undefined): Record<string, string> {
  if (type?.includes('application/json')) {
    try {
      return JSON.parse(raw) as Record<string, string>;
    } catch {
      return {};
    }
  }
  return Object.fromEntries(new URLSearchParams(raw));
}
