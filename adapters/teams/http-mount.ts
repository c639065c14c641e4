import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CloudAdapter, Response as BotResponse, TurnContext } from 'botbuilder';
import type { Logger } from '../../src/log.js';
import type { Mount } from '../../src/ports/channel.port.js';

export const TEAMS_MESSAGES_PATH = '/api/messages';

/** Bot Framework activities are small; Teams caps a message at about 28 KB. */
const MAX_BODY_BYTES = 1024 * 1024;

class BodyError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyError(413, 'activity too large'));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('error', reject);
    req.on('end', () => {
      try {
        const body: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        if (!body || typeof body !== 'object' || Array.isArray(body)) throw new Error('not an object');
        resolve(body as Record<string, unknown>);
      } catch {
        reject(new BodyError(400, 'the body is not a JSON activity'));
      }
    });
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return void res.end();
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * The Express-like response CloudAdapter.process() expects (status, header, send, end), over
 * node's ServerResponse. A 5xx body would carry botbuilder's error text: it is replaced.
 */
function botResponse(res: ServerResponse): BotResponse {
  let status = 200;
  let body: unknown;
  return {
    socket: res.socket,
    status(code: number) {
      status = code;
    },
    header(name: string, value: unknown) {
      res.setHeader(name, String(value));
    },
    send(value: unknown) {
      body = value;
    },
    end() {
      if (status >= 500) return sendJson(res, status, { error: 'internal', message: 'The bot could not process this activity.' });
      if (body === undefined || body === null) {
        res.statusCode = status;
        return void res.end();
      }
      if (typeof body === 'string') return sendJson(res, status, { error: status === 401 ? 'unauthorized' : 'bad_request', message: body });
      sendJson(res, status, body);
    },
  };
}

/**
 * POST /api/messages for our node:http server, which has no body parser: the JSON is read
 * here and CloudAdapter.process() authenticates and runs the turn.
 */
export function messagesMount(adapter: CloudAdapter, logic: (context: TurnContext) => Promise<void>, log: Logger): Mount {
  return {
    path: TEAMS_MESSAGES_PATH,
    name: 'teams',
    handler(req, res) {
      if (req.method !== 'POST') {
        res.setHeader('allow', 'POST');
        return sendJson(res, 405, { error: 'method_not_allowed', message: `Bot Framework posts to ${TEAMS_MESSAGES_PATH}` });
      }
      readJson(req)
        .then((body) => adapter.process({ body, headers: req.headers, method: 'POST' }, botResponse(res), logic))
        .catch((error: unknown) => {
          if (error instanceof BodyError) return sendJson(res, error.status, { error: 'bad_request', message: error.message });
          log.error({ err: error }, 'teams activity not processed');
          sendJson(res, 500, { error: 'internal', message: 'The bot could not process this activity.' });
        });
    },
  };
}
