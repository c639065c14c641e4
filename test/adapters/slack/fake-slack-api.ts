import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedCall {
  /** "/api/users.info", "/respond/1", … */
  path: string;
  /** The Web API method ("users.info"), or the path for anything else. */
  method: string;
  headers: IncomingMessage['headers'];
  /** Form fields or JSON body; JSON-encoded form fields (blocks, view) are parsed. */
  params: Record<string, any>;
}

export interface FakeAnswer {
  status?: number;
  headers?: Record<string, string>;
  body: unknown;
}

/**
 * A fake Slack Web API on 127.0.0.1: records every call and answers like Slack. Users are
 * given with their e-mail; `failNext` queues one special answer (a 429, an error) per method.
 */
export class FakeSlackApi {
  readonly calls: RecordedCall[] = [];
  readonly users = new Map<string, string>();
  private readonly failures = new Map<string, FakeAnswer[]>();
  private server: Server | undefined;
  url = '';

  async start(): Promise<this> {
    this.server = createServer(async (req, res) => {
      let raw = '';
      for await (const chunk of req) raw += chunk;
      const path = (req.url ?? '/').split('?', 1)[0]!;
      const method = path.startsWith('/api/') ? path.slice(5) : path;
      this.calls.push({ path, method, headers: req.headers, params: parse(raw, req.headers['content-type']) });
      const answer = this.failures.get(method)?.shift() ?? this.answer(method, this.calls.at(-1)!.params);
      res.writeHead(answer.status ?? 200, { 'content-type': 'application/json', ...answer.headers });
      res.end(JSON.stringify(answer.body));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  failNext(method: string, answer: FakeAnswer): void {
    this.failures.set(method, [...(this.failures.get(method) ?? []), answer]);
  }

  callsTo(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Waits until `count` calls to a method arrived (the adapter works after its ack). */
  async waitFor(method: string, count = 1, timeoutMs = 5000): Promise<RecordedCall[]> {
    const until = Date.now() + timeoutMs;
    while (this.callsTo(method).length < count) {
      if (Date.now() > until) throw new Error(`expected ${count} call(s) to ${method}, got ${this.callsTo(method).length}: ${this.calls.map((c) => c.method).join(', ')}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return this.callsTo(method);
  }

  private answer(method: string, params: Record<string, any>): FakeAnswer {
    switch (method) {
      case 'users.info': {
        const email = this.users.get(params.user);
        return email
          ? { body: { ok: true, user: { id: params.user, deleted: false, profile: { email } } } }
          : { body: { ok: false, error: 'user_not_found' } };
      }
      case 'auth.test':
        return { body: { ok: true, user_id: 'UFAKEBOT', bot_id: 'BFAKEBOT', team_id: 'T1' } };
      case 'chat.postMessage':
        return { body: { ok: true, channel: params.channel, ts: `1799999999.${String(this.calls.length).padStart(6, '0')}` } };
      case 'views.open':
      case 'views.publish':
        return { body: { ok: true, view: { id: 'VFAKE' } } };
      default:
        return { body: { ok: true } };
    }
  }
}

function parse(raw: string, type: string | undefined): Record<string, any> {
  if (!raw) return {};
  if (type?.includes('json')) return JSON.parse(raw);
  const out: Record<string, any> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    out[key] = /^[[{]/.test(value) ? tryJson(value) : value;
  }
  return out;
}

function tryJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
