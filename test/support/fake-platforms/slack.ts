import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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

/**
 * A Slack Web API on 127.0.0.1 that enforces chat.postMessage's limits the way Slack does: a
 * request beyond them gets HTTP 429, `Retry-After` in seconds and `{"ok":false,"error":"ratelimited"}`,
 * and nothing is posted. The service reaches it through SLACK_API_URL (`${url}/api/`).
 * Every other method answers `{"ok":true}`.
 */
export class FakeSlack {
  readonly tally: Tally;
  /** Accepted messages per channel. */
  readonly posted = new Map<string, number>();
  url = '';
  private readonly perChannel: Bucket;
  private readonly workspace: Bucket;
  private server: Server | undefined;
  private ts = 0;

  constructor(limits: SlackLimits = SLACK_LIMITS, now: Now = realTime) {
    this.perChannel = new Bucket(limits.perChannel, now);
    this.workspace = new Bucket(limits.workspace, now);
    this.tally = new Tally(now);
  }

  async start(): Promise<this> {
    this.server = createServer(async (req, res) => {
      let raw = '';
      for await (const chunk of req) raw += chunk;
      const method = (req.url ?? '/').split('?', 1)[0]!.replace(/^\/api\//, '');
      const answer = this.answer(method, params(raw, req.headers['content-type']));
      res.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8', ...answer.headers });
      res.end(JSON.stringify(answer.body));
    });
    this.server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** One Web API call: chat.postMessage is limited, the rest simply succeed. */
  answer(method: string, params: Record<string, string>): { status: number; headers?: Record<string, string>; body: unknown } {
    if (method !== 'chat.postMessage') return { status: 200, body: { ok: true } };
    const channel = params.channel;
    if (!channel) return { status: 200, body: { ok: false, error: 'channel_not_found' } };
    const waitMs = take([
      [this.perChannel, channel],
      [this.workspace, 'workspace'],
    ]);
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
