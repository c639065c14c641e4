import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Activity, CloudAdapter, Response as BotResponse, TurnContext } from 'botbuilder';
import { BodyTooLargeError, ClientGoneError, closeUnreadBody, readBytes } from '../../src/http/read-body.js';
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

/** The activity as a JSON object, at most MAX_BODY_BYTES (read-body.ts's reader, which drains a body it refuses). */
async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let bytes: Buffer;
  try {
    bytes = await readBytes(req, MAX_BODY_BYTES);
  } catch (error) {
    if (error instanceof BodyTooLargeError) throw new BodyError(413, 'activity too large');
    throw error;
  }
  try {
    const body: unknown = JSON.parse(bytes.toString('utf8'));
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw new Error('not an object');
    return body as Record<string, unknown>;
  } catch {
    throw new BodyError(400, 'the body is not a JSON activity');
  }
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

/** Checks a request's Bot Framework token against its activity; throws when it is not valid. */
export type Authenticate = (activity: Activity, authHeader: string) => Promise<unknown>;

/** What every activity Bot Framework sends names; without it there is nothing to authenticate or answer. */
function activityProblem(body: Record<string, unknown>): string | undefined {
  if (typeof body.type !== 'string' || !body.type) return 'the activity has no type';
  if (typeof body.serviceUrl !== 'string' || !/^https?:\/\/[^\s]+$/.test(body.serviceUrl)) return 'the activity has no http(s) serviceUrl';
  if (typeof body.channelId !== 'string') return 'the activity has no channelId';
  const conversation = body.conversation as { id?: unknown } | undefined;
  if (typeof conversation !== 'object' || conversation === null || typeof conversation.id !== 'string') return 'the activity has no conversation id';
  return undefined;
}

const isAuthError = (error: unknown) => {
  const e = error as { name?: string; statusCode?: number } | null;
  return e?.name === 'AuthenticationError' || e?.statusCode === 401 || e?.statusCode === 403;
};

/**
 * POST /api/messages for our node:http server, which has no body parser: the JSON is read
 * here, the token is checked here (so a refusal is a 401 and one warning line; CloudAdapter
 * would print the error's stack with console.error, and answer 500 for a body it cannot
 * parse), and CloudAdapter.process() runs the turn. With `authenticated` false
 * (TEAMS_DEV_NO_AUTH) a malformed activity is a 400 instead.
 */
export function messagesMount(
  adapter: CloudAdapter,
  logic: (context: TurnContext) => Promise<void>,
  log: Logger,
  guard: { authenticated: boolean; authenticate: Authenticate },
): Mount {
  const refuse = (res: ServerResponse, status: 400 | 401, reason: string) => {
    log.warn({ status, reason }, 'teams request refused');
    sendJson(res, status, { error: status === 401 ? 'unauthorized' : 'bad_request', message: status === 401 ? 'The request is not from Bot Framework.' : reason });
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    // The header first: a caller without a token learns nothing of how its body would be read.
    const header = typeof req.headers.authorization === 'string' ? req.headers.authorization : '';
    if (guard.authenticated && !/^Bearer \S+$/.test(header)) {
      res.setHeader('connection', 'close'); // its body is not read
      return refuse(res, 401, 'no bearer token');
    }
    const body = await readJson(req);
    const problem = activityProblem(body);
    if (problem) return refuse(res, guard.authenticated ? 401 : 400, problem);
    try {
      await guard.authenticate(body as unknown as Activity, header);
    } catch (error) {
      if (!isAuthError(error)) throw error;
      return refuse(res, 401, `token refused: ${(error as Error).message?.split('\n', 1)[0]}`);
    }
    await adapter.process({ body, headers: req.headers, method: 'POST' }, botResponse(res), logic);
  };
  return {
    path: TEAMS_MESSAGES_PATH,
    name: 'teams',
    handler(req, res) {
      if (req.method !== 'POST') {
        closeUnreadBody(req, res);
        res.setHeader('allow', 'POST');
        return sendJson(res, 405, { error: 'method_not_allowed', message: `Bot Framework posts to ${TEAMS_MESSAGES_PATH}` });
      }
      handle(req, res).catch((error: unknown) => {
        if (error instanceof ClientGoneError) return void log.info({ reason: error.message }, 'teams request body not received');
        // The rest of a body too large is being drained: closing ends it once the answer is out.
        if (error instanceof BodyError && error.status === 413) res.setHeader('connection', 'close');
        if (error instanceof BodyError) return sendJson(res, error.status, { error: error.status === 413 ? 'too_large' : 'bad_request', message: error.message });
        log.error({ err: error }, 'teams activity not processed');
        sendJson(res, 500, { error: 'internal', message: 'The bot could not process this activity.' });
      });
    },
  };
}
