import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the bot made to the Bot Connector. */
export interface ConnectorCall {
  method: string;
  path: string;
  conversationId: string;
  /** The activity replied to (POST …/activities/{id}); absent for a plain POST …/activities. */
  replyToId?: string;
  authorization?: string;
  body: any;
}

export interface FakeMember {
  id: string;
  aadObjectId: string;
  email?: string;
  userPrincipalName?: string;
  name: string;
}

export interface CannedFailure {
  /** 0: accept the request and never answer (a connector that hangs). */
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/**
 * A Bot Connector on 127.0.0.1 (the service Teams' serviceUrl points at): records replies and
 * proactive posts, answers TeamsInfo.getMember from `members` and getTeamChannels from
 * `teamChannels`, and fails on request.
 */
export class FakeConnector {
  readonly calls: ConnectorCall[] = [];
  readonly members = new Map<string, FakeMember>();
  /** The channels of each Teams team, by team id, for TeamsInfo.getTeamChannels. */
  readonly teamChannels = new Map<string, { id: string; name?: string }[]>();
  /** Served, in order, to the next activity posts instead of 200. */
  readonly failures: CannedFailure[] = [];
  /** Delay before answering a member lookup. */
  memberDelayMs = 0;
  url = '';
  private server?: Server;
  private next = 1;

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void this.handle(req).then(({ status, headers, body }) => {
        const text = body === undefined ? '' : JSON.stringify(body);
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(text);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  activities(): ConnectorCall[] {
    return this.calls.filter((c) => c.method === 'POST');
  }

  /** The text of every TextBlock and fact in the cards of a posted activity. */
  static cardText(call: ConnectorCall): string {
    const out: string[] = [];
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) return node.forEach(walk);
      if (!node || typeof node !== 'object') return;
      const n = node as Record<string, unknown>;
      if (n.type === 'TextBlock' && typeof n.text === 'string') out.push(n.text);
      if (typeof n.title === 'string' && typeof n.value === 'string') out.push(`${n.title}: ${n.value}`);
      Object.values(n).forEach(walk);
    };
    walk(call.body?.attachments?.map((a: { content: unknown }) => a.content));
    return out.join('\n');
  }

  private async handle(req: IncomingMessage): Promise<{ status: number; headers?: Record<string, string>; body?: unknown }> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const path = (req.url ?? '').split('?')[0]!;
    const match = /^\/v3\/conversations\/([^/]+)(?:\/(activities|members)(?:\/([^/]+))?)?$/.exec(path);
    const call: ConnectorCall = {
      method: req.method ?? '',
      path,
      conversationId: decodeURIComponent(match?.[1] ?? ''),
      ...(match?.[2] === 'activities' && match[3] ? { replyToId: decodeURIComponent(match[3]) } : {}),
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
      body: raw ? JSON.parse(raw) : undefined,
    };
    this.calls.push(call);
    if (req.method === 'GET' && match?.[2] === 'members' && match[3]) {
      if (this.memberDelayMs) await new Promise((r) => setTimeout(r, this.memberDelayMs));
      const member = this.members.get(decodeURIComponent(match[3]));
      return member
        ? { status: 200, body: member }
        : { status: 404, body: { error: { code: 'MemberNotFoundInConversation', message: 'The member is not in the conversation' } } };
    }
    const team = /^\/v3\/teams\/([^/]+)\/conversations$/.exec(path);
    if (req.method === 'GET' && team) {
      const channels = this.teamChannels.get(decodeURIComponent(team[1]!));
      return channels ? { status: 200, body: { conversations: channels } } : { status: 404, body: { error: { code: 'NotFound', message: 'no such team' } } };
    }
    if (req.method === 'POST' && match?.[2] === 'activities') {
      const failure = this.failures.shift();
      if (failure?.status === 0) return new Promise(() => undefined);
      if (failure) return { status: failure.status, headers: failure.headers, body: failure.body };
      return { status: 200, body: { id: `activity-${this.next++}` } };
    }
    if (req.method === 'PUT' && match?.[2] === 'activities' && match[3]) return { status: 200, body: { id: decodeURIComponent(match[3]) } };
    return { status: 404, body: { error: { code: 'NotFound', message: `no ${req.method} ${path}` } } };
  }
}
