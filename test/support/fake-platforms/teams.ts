import { JsonServer, type JsonAnswer } from './json-server.js';
import { realTime, retryAfterSeconds, Tally, take, Windows, type Now, type Window } from './limits.js';

export interface TeamsLimits {
  /** Per bot per conversation, all at once. */
  perConversation: Window[];
  /** Per bot across all conversations (the app's limit in one tenant). */
  perApp: Window[];
}

/**
 * The Bot Connector's documented limits for sending to a conversation
 * (https://learn.microsoft.com/microsoftteams/platform/bots/how-to/rate-limit): per bot per
 * conversation 7 per second, 8 per 2 s, 60 per 30 s and 1,800 per hour; 50 requests a second
 * per bot app across the tenant's conversations.
 */
export const TEAMS_LIMITS: TeamsLimits = {
  perConversation: [
    { count: 7, perMs: 1000 },
    { count: 8, perMs: 2000 },
    { count: 60, perMs: 30_000 },
    { count: 1800, perMs: 3_600_000 },
  ],
  perApp: [{ count: 50, perMs: 1000 }],
};

/**
 * A Bot Connector (the service a conversation reference's serviceUrl names) on 127.0.0.1 that
 * enforces those limits on POST /v3/conversations/{id}/activities: beyond them HTTP 429 with
 * `Retry-After` in seconds and an error body, and nothing is posted. The service reaches it
 * through the serviceUrl stored in each conversation reference, as in Teams.
 */
export class FakeBotConnector {
  readonly tally: Tally;
  readonly posted = new Map<string, number>();
  /** `http://127.0.0.1:<port>/`, once started: a serviceUrl. */
  url = '';
  private readonly perConversation: Windows;
  private readonly perApp: Windows;
  private readonly http = new JsonServer((request) => this.answer(request.method, request.path));
  private next = 0;

  constructor(limits: TeamsLimits = TEAMS_LIMITS, now: Now = realTime) {
    this.perConversation = new Windows(limits.perConversation, now);
    this.perApp = new Windows(limits.perApp, now);
    this.tally = new Tally(now);
  }

  async start(): Promise<this> {
    this.url = `${await this.http.start()}/`;
    return this;
  }

  stop(): Promise<void> {
    return this.http.stop();
  }

  /** One connector request: posting an activity is limited, updating one (PUT) answers 200. */
  answer(method: string, path: string): JsonAnswer {
    const match = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/]+))?$/.exec(path);
    if (!match) return { status: 404, body: { error: { code: 'NotFound', message: `no ${method} ${path}` } } };
    const conversation = decodeURIComponent(match[1]!);
    if (method === 'PUT' && match[2]) return { status: 200, body: { id: decodeURIComponent(match[2]) } };
    if (method !== 'POST') return { status: 405, body: { error: { code: 'MethodNotAllowed', message: method } } };
    const waitMs = take([
      [this.perConversation, conversation],
      [this.perApp, 'app'],
    ]);
    if (waitMs > 0) {
      this.tally.refuse();
      return { status: 429, headers: { 'retry-after': retryAfterSeconds(waitMs) }, body: { error: { code: 'Throttled', message: 'Too many requests' } } };
    }
    this.tally.accept();
    this.posted.set(conversation, (this.posted.get(conversation) ?? 0) + 1);
    return { status: 200, body: { id: `activity-${++this.next}` } };
  }
}
