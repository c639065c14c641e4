import type { IncomingMessage, ServerResponse } from 'node:http';
import { App, SocketModeReceiver, webApi, type Authorize } from '@slack/bolt';
import { ClientGoneError, closeUnreadBody } from '../../src/http/read-body.js';
import type { Logger } from '../../src/log.js';
import type { BotPort, ChannelAdapter, Mount } from '../../src/ports/channel.port.js';
import { boltLogger } from './bolt-logger.js';
import { SlackDirectory } from './slack-directory.js';
import { parseSlackBody, shapeProblem } from './request-shape.js';
import { ScreenedReceiver } from './screened-receiver.js';
import { registerListeners } from './slack-listeners.js';
import { SlackSender } from './slack-sender.js';
import { readLimited, verifySignature, type Refusal } from './verify-request.js';

export interface SlackAdapterOptions {
  botToken: string;
  signingSecret: string;
  /** Socket Mode instead of HTTP (SLACK_APP_TOKEN, xapp-…). */
  appToken?: string;
  /** Web API base, e.g. https://slack.com/api/ (SLACK_API_URL); every call goes there. */
  apiUrl?: string;
  /** When both are given, Bolt never calls auth.test. */
  botId?: string;
  botUserId?: string;
  bot: BotPort;
  log: Logger;
  publicUrl: string;
  /** Budget for answering a slash command inside its ack; Slack allows 3 s in all. */
  ackBudgetMs?: number;
  /** Now in ms, for the signature's timestamp window (tests); Date.now by default. */
  now?: () => number;
}

export const SLACK_EVENTS_PATH = '/slack/events';

/**
 * Slack over Bolt: HTTP at POST /slack/events (served by our node:http server as a Mount), or
 * Socket Mode when an app token is given.
 *
 * @example
 * const slack = createSlackAdapter({ botToken, signingSecret, bot, log, publicUrl });
 * createHttpServer({ routes, mounts: [...slack.mounts], metrics, log });
 * await slack.start();
 */
export function createSlackAdapter(options: SlackAdapterOptions): ChannelAdapter {
  const { log } = options;
  const logger = boltLogger(log);
  const clientOptions: webApi.WebClientOptions = {
    ...(options.apiUrl ? { slackApiUrl: options.apiUrl.endsWith('/') ? options.apiUrl : `${options.apiUrl}/` } : {}),
    logger,
    // The delivery engine (src/delivery) owns retries and their backoff across restarts and
    // replicas; a WebClient retrying too (ten times over 30 minutes by default, sleeping on 429)
    // would hide failures from it and hold the ack path far past Slack's 3 seconds.
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: 10_000,
  };
  const client = new webApi.WebClient(options.botToken, clientOptions);
  const directory = new SlackDirectory(client, log);
  const sender = new SlackSender(client);

  // Bolt's own authorization calls auth.test on construction, or with
  // tokenVerificationEnabled: false on the first request and again on every later one unless
  // botId and botUserId are given (bolt-js 5.1 singleAuthorization). Offline or slow, that call
  // makes commands miss the 3-second ack. So we authorize ourselves: the given ids, or ids that
  // start() learns from one auth.test in the background, never on a request's path.
  const ids = { botId: options.botId, botUserId: options.botUserId };
  const authorize: Authorize<boolean> = async () => ({ botToken: options.botToken, botId: ids.botId, botUserId: ids.botUserId });

  const socketMode = Boolean(options.appToken);
  // Over HTTP, httpHandler below reads, verifies (stricter than Bolt: the timestamp window holds
  // both ways) and parses every request once, then hands it to our receiver, which passes it
  // to Bolt as it is (screened-receiver.ts).
  const receiver = socketMode
    ? new SocketModeReceiver({ appToken: options.appToken!, logger, installerOptions: { clientOptions } })
    : new ScreenedReceiver(log.child({ component: 'slack' }));
  // No conversation store: nothing here keeps state in Bolt's context.conversation, and the
  // default in-memory one rejects every lookup of an unknown channel with a new Error (with its
  // stack trace): a seventh of the CPU of a slash command.
  const app = new App({ receiver, authorize, logger, clientOptions, convoStore: false });
  registerListeners(app, { bot: options.bot, client, directory, sender, log, command: '/pzk', ackBudgetMs: options.ackBudgetMs ?? 2500 });

  const mounts: Mount[] =
    receiver instanceof ScreenedReceiver ? [{ path: SLACK_EVENTS_PATH, name: 'slack', handler: httpHandler(receiver, log, { secret: options.signingSecret, now: options.now ?? Date.now }) }] : [];

  const learnIds = async () => {
    if (ids.botId && ids.botUserId) return;
    try {
      const result = await client.auth.test();
      ids.botId ??= result.bot_id;
      ids.botUserId ??= result.user_id;
    } catch (error) {
      log.warn({ err: error }, 'Slack auth.test failed: check SLACK_BOT_TOKEN (the bot still answers, but may see its own messages)');
    }
  };

  return {
    kind: 'slack',
    sender,
    mounts,
    async start() {
      void learnIds();
      if (socketMode) await app.start();
    },
    async stop() {
      if (socketMode) await app.stop();
    },
  };
}

/**
 * Bolt's listener for POST /slack/events, behind our own checks: the body is read (at most
 * 1 MB), its signature and timestamp verified and its shape checked first (verify-request.ts,
 * request-shape.ts), so Bolt only ever sees a signed object it can route. Anything else gets
 * 400, 401 or 413 and one warning line; other methods get 405 instead of Bolt's thrown error.
 */
function httpHandler(
  receiver: ScreenedReceiver,
  log: Logger,
  check: { secret: string; now: () => number },
): Mount['handler'] {
  const refuse = (res: ServerResponse, refusal: Refusal) => {
    log.warn({ status: refusal.status, reason: refusal.reason }, 'slack request refused');
    if (res.headersSent) return void res.end();
    const text = JSON.stringify({ error: refusal.status === 401 ? 'unauthorized' : refusal.status === 413 ? 'too_large' : 'bad_request', message: refusal.reason });
    res.writeHead(refusal.status, { 'content-type': 'application/json; charset=utf-8', ...(refusal.status === 413 ? { connection: 'close' } : {}) });
    res.end(text);
  };
  const screen = async (req: IncomingMessage, res: ServerResponse) => {
    const raw = await readLimited(req);
    if (!Buffer.isBuffer(raw)) return refuse(res, raw);
    const text = raw.toString('utf8');
    const contentType = req.headers['content-type'];
    // Slack's unsigned connectivity check, answered as Bolt would, with nothing passed on.
    if (contentType === 'application/x-www-form-urlencoded' && new URLSearchParams(text).get('ssl_check') === '1') {
      res.writeHead(200);
      return void res.end();
    }
    const unsigned = verifySignature(req.headers, raw, check.secret, check.now());
    if (unsigned) return refuse(res, unsigned);
    const parsed = parseSlackBody(text, contentType);
    if ('problem' in parsed) return refuse(res, { status: 400, reason: parsed.problem });
    // Bolt's HTTPReceiver drops any body with ssl_check "1" (JSON, or a payload's), signed or not.
    if (parsed.body.ssl_check === '1') {
      res.writeHead(200);
      return void res.end();
    }
    const problem = shapeProblem(parsed.body);
    if (problem) return refuse(res, { status: 400, reason: problem });
    await receiver.dispatch(parsed.body, req, res);
  };
  return (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'POST') {
      closeUnreadBody(req, res);
      res.writeHead(405, { allow: 'POST', 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ error: 'method_not_allowed', message: `Slack posts to ${SLACK_EVENTS_PATH}` }));
      return;
    }
    screen(req, res).catch((error: unknown) => {
      if (error instanceof ClientGoneError) return void log.info({ reason: error.message }, 'slack request body not received');
      log.error({ err: error }, 'slack request not handled');
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  };
}
