import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface JsonRequest {
  /** GET, POST, PUT… */
  method: string;
  /** The URL's path, without the query. */
  path: string;
  /** The whole body, as text. */
  body: string;
  contentType: string | undefined;
}

export interface JsonAnswer {
  status: number;
  headers?: Record<string, string>;
  body: unknown;
}

/**
 * The HTTP side of the platform fakes (Slack's Web API, Teams' Bot Connector): a server on
 * 127.0.0.1 that reads each request whole, asks `answer`, and sends its body as JSON. Idle
 * connections are kept `keepAliveMs` (30 s unless given; the benchmarks, whose load opens many
 * short connections, give 1 s).
 */
export class JsonServer {
  url = '';
  private server: Server | undefined;

  constructor(
    private readonly answer: (request: JsonRequest) => JsonAnswer,
    private readonly keepAliveMs = 30_000,
  ) {}

  /** Listens on a free port; returns `http://127.0.0.1:<port>`. */
  async start(): Promise<string> {
    this.server = createServer(async (req, res) => {
      let body = '';
      for await (const chunk of req) body += chunk;
      const answer = this.answer({ method: req.method ?? '', path: (req.url ?? '/').split('?', 1)[0]!, body, contentType: req.headers['content-type'] });
      res.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8', ...answer.headers });
      res.end(JSON.stringify(answer.body));
    });
    this.server.keepAliveTimeout = this.keepAliveMs;
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
