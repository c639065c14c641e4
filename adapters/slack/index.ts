import type { IncomingMessage, ServerResponse } from 'node:http';
import { App, HTTPReceiver, SocketModeReceiver, webApi, type Authorize } from '@slack/bolt';
import type { Logger } from '../../src/log.js';
import type { BotPort, ChannelAdapter, Mount } from '../../src/ports/channel.port.js';
import { boltLogger } from './bolt-logger.js';
import { SlackDirectory } from './slack-directory.js';
import { HTTP_RESPONSE, registerListeners } from './slack-listeners.js';
import { SlackSender } from './slack-sender.js';

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
  // Each HTTP request's response, handed to listeners in their context (HTTP_RESPONSE), so a
  // command can be acked with JSON serialized once per answer (see slack-listeners.ts).
  const responses = new WeakMap<IncomingMessage, ServerResponse>();
  const receiver = socketMode
    ? new SocketModeReceiver({ appToken: options.appToken!, logger, installerOptions: { clientOptions } })
    : new HTTPReceiver({
        signingSecret: options.signingSecret,
        endpoints: [SLACK_EVENTS_PATH],
        logger,
        customPropertiesExtractor: (req) => ({ [HTTP_RESPONSE]: responses.get(req) }),
      });
  // No conversation store: nothing here keeps state in Bolt's context.conversation, and the
  // default in-memory one rejects every lookup of an unknown channel with a new Error (with its
  // stack trace): a seventh of the CPU of a slash command.
  const app = new App({ receiver, authorize, logger, clientOptions, convoStore: false });
  registerListeners(app, { bot: options.bot, client, directory, sender, log, command: '/pzk', ackBudgetMs: options.ackBudgetMs ?? 2500 });

  const mounts: Mount[] =
    receiver instanceof HTTPReceiver ? [{ path: SLACK_EVENTS_PATH, name: 'slack', handler: httpHandler(receiver, responses, log) }] : [];

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

/** Bolt's listener for POST /slack/events; other methods get 405 instead of Bolt's thrown error. */
function httpHandler(receiver: HTTPReceiver, responses: WeakMap<IncomingMessage, ServerResponse>, log: Logger): Mount['handler'] {
  return (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST', 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ error: 'method_not_allowed', message: `Slack posts to ${SLACK_EVENTS_PATH}` }));
      return;
    }
    responses.set(req, res);
    try {
      receiver.requestListener(req, res);
    } catch (error) {
      log.error({ err: error }, 'slack request not handled');
      if (!res.headersSent) res.writeHead(500);
      res.end();
    }
  };
}
