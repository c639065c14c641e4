import { createServer, type IncomingMessage, type OutgoingHttpHeader, type OutgoingHttpHeaders, type Server, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Logger } from '../log.js';
import { interactiveStarted, runAs } from '../precedence.js';
import type { Metrics } from './metrics.js';
import { BodyTooLargeError, ClientGoneError, closeUnreadBody, MalformedBodyError } from './read-body.js';
import { sendRefusal } from './refusal-page.js';
import type { FastPath, Mount, Route } from './router.js';
import { loggablePath, sendFailed, sendMethodNotAllowed, sendNotFound } from './server-pages.js';

export interface HttpOptions {
  routes: Route[];
  mounts: Mount[];
  /** Tried first, in order (feeds); like routes and mounts, filled once the service is wired. */
  fast?: FastPath[];
  metrics: Metrics;
  log: Logger;
}

/**
 * node:http with a table of routes: feeds are the hot path and a framework's per-request
 * work would cost a third of the throughput. Platform SDKs get their paths whole.
 * Every request is interactive work (src/precedence.ts): it goes before the dispatcher and
 * background planning at the database, and they pause sooner while it is in flight.
 */
export function createHttpServer({ routes, mounts, fast = [], metrics, log }: HttpOptions): Server {
  const server = createServer({ ServerResponse: ClosingResponse }, (req, res) => runAs('interactive', () => handle(req, res)));
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    for (let i = 0; i < fast.length; i++) if (fast[i]!(req, res)) return;
    res.once('close', interactiveStarted());
    const started = performance.now();
    const path = (req.url ?? '/').split('?', 1)[0]!;
    let routeName = 'not_found';
    res.on('finish', () => {
      metrics.httpRequests.inc({ route: routeName, status: res.statusCode });
      metrics.httpDuration.observe({ route: routeName }, (performance.now() - started) / 1000);
    });
    const mount = mounts.find((m) => path === m.path);
    if (mount) {
      routeName = mount.name;
      mount.handler(req, res);
      return;
    }
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    const allowed = new Set<string>();
    for (const route of routes) {
      const match = route.path.exec(path);
      if (!match) continue;
      if (route.method !== method) {
        allowed.add(route.method === 'GET' ? 'GET, HEAD' : route.method);
        continue;
      }
      routeName = route.name;
      // Run inside the promise: a handler that throws before its first await is caught too.
      new Promise<void>((resolve) => resolve(route.handler(req, res, match.slice(1).map(decode)))).catch((error) => fail(req, res, error, log));
      return;
    }
    if (allowed.size > 0) {
      routeName = 'method_not_allowed';
      return sendMethodNotAllowed(req, res, path, [...allowed].join(', '));
    }
    sendNotFound(req, res, path);
  };
  server.keepAliveTimeout = 65_000;
  return server;
}

/**
 * Every answer, whoever writes it (a 404, a route's 403 or bad-link page before its read, a
 * 413 mid-read, Slack's and Teams' mounts), passes here as its head is written: one that
 * leaves a declared body unread to its end closes the connection (closeUnreadBody). Checked
 * once here rather than by each refusal, which missed some (h-misc: /me's 403 and bad links
 * kept the connection, and Node read a 5 MB body to reuse it). end() without writeHead
 * comes here too (Node's implicit head calls writeHead).
 */
class ClosingResponse<Request extends IncomingMessage = IncomingMessage> extends ServerResponse<Request> {
  override writeHead(statusCode: number, statusMessage?: string | OutgoingHttpHeaders | OutgoingHttpHeader[], headers?: OutgoingHttpHeaders | OutgoingHttpHeader[]): this {
    closeUnreadBody(this.req, this);
    return super.writeHead(statusCode, statusMessage as string, headers);
  }
}

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return '';
  }
}

/**
 * A body refused by read-body.ts: 413 or 400 with a page in both languages and one warning
 * line. A client gone before its body ended has no one to answer: one info line. Anything else is unexpected: logged with an id; the client sees the id (a browser on
 * a page in both languages), never the stack.
 */
function fail(req: IncomingMessage, res: ServerResponse, error: unknown, log: Logger): void {
  if (error instanceof ClientGoneError) return void log.info({ path: loggablePath(req.url), reason: error.message }, 'request body not received');
  if (error instanceof BodyTooLargeError || error instanceof MalformedBodyError) {
    log.warn({ status: error.status, path: loggablePath(req.url), reason: error.message }, 'request body refused');
    if (res.headersSent) return void res.end();
    return sendRefusal(res, error);
  }
  const id = Math.random().toString(36).slice(2, 10);
  // The path without its tokens: a signed link in the log would open someone's page.
  log.error({ err: error, errorId: id, method: req.method, path: loggablePath(req.url) }, 'request failed');
  if (res.headersSent) return void res.end();
  sendFailed(req, res, id);
}

/** Listens on the port and host; resolves with the base URL (the port the system chose, for 0). */
export async function listen(server: Server, port: number, host: string): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  return `http://${host.includes(':') ? `[${host}]` : host}:${bound}`;
}

/** Stops accepting, closes idle keep-alive connections now and busy ones after `graceMs` at most. */
export function closeServer(server: Server, graceMs = 5000): Promise<void> {
  return new Promise<void>((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), graceMs).unref();
  });
}
