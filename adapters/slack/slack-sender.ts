import { webApi } from '@slack/bolt';
import type { ChannelSender, Message, SendResult } from '../../src/ports/channel.port.js';
import { retryAfterMs } from '../../src/ports/retry-after.js';
import { renderMessage } from './render-blocks.js';

/** Slack's answers that no retry will change: the delivery engine moves on to the next channel. */
const PERMANENT = new Set([
  'user_not_found',
  'channel_not_found',
  'is_archived',
  'not_in_channel',
  'cannot_dm_bot',
  'user_disabled',
  'invalid_blocks',
  'msg_too_long',
  'no_text',
]);

/**
 * Slack refusing our token or the app's scopes: no message is at fault, so each stays in the
 * outbox (temporary) and the operators are told, as for a wrong SMTP password.
 */
/**
 * Slack's platform errors that refuse for pace: `ratelimited` (the 429's body) and
 * chat.postMessage's own `rate_limited` ("Application has posted too many messages"), which
 * comes with HTTP 200. Both are cheap to accept.
 */
const PACE = new Set(['ratelimited', 'rate_limited']);

/**
 * The SDK's plain Errors for a 429 it could not read as seconds (an HTTP-date Retry-After or
 * none: "Retry header did not contain a valid timeout"), or one it gave up retrying ("A rate
 * limit was exceeded"). They carry no code, only these words.
 */
const SDK_RATE_LIMITED = /^(Retry header did not contain a valid timeout|A rate limit was exceeded)\b/;

const SETTINGS = new Set(['invalid_auth', 'not_authed', 'token_revoked', 'token_expired', 'account_inactive', 'missing_scope', 'no_permission']);

interface SlackErrorShape {
  code?: string;
  message?: string;
  retryAfter?: number;
  statusCode?: number;
  headers?: Record<string, string>;
  data?: { error?: string };
}

/**
 * A Web API failure as a SendResult: 429 and `ratelimited` are temporary with Retry-After,
 * 5xx and network failures temporary, the errors above permanent. Unknown errors count as
 * temporary: the engine gives up after a few attempts, whereas a wrong "permanent" loses a message.
 */
export function toSendResult(error: unknown): SendResult {
  const e = (error ?? {}) as SlackErrorShape;
  switch (e.code) {
    case webApi.ErrorCode.RateLimitedError:
      return { ok: false, permanent: false, rateLimited: true, refusal: 'ratelimited', reason: 'ratelimited', ...(e.retryAfter !== undefined ? { retryAfterMs: e.retryAfter * 1000 } : {}) };
    case webApi.ErrorCode.PlatformError: {
      const reason = e.data?.error ?? 'unknown_error';
      if (PACE.has(reason)) return { ok: false, permanent: false, rateLimited: true, refusal: reason, reason };
      if (SETTINGS.has(reason)) return { ok: false, permanent: false, settings: true, reason: `${reason}: Slack refused the bot's token or scopes, check SLACK_BOT_TOKEN and the app's installation` };
      return { ok: false, permanent: PERMANENT.has(reason), reason };
    }
    case webApi.ErrorCode.HTTPError: {
      const status = e.statusCode ?? 0;
      const after = retryAfterMs(e.headers?.['retry-after'], Date.now());
      const permanent = status >= 400 && status < 500 && status !== 408 && status !== 429;
      return { ok: false, permanent, reason: `http_${status}`, ...(status === 429 ? { rateLimited: true as const, refusal: '429' } : {}), ...(after !== undefined ? { retryAfterMs: after } : {}) };
    }
    case webApi.ErrorCode.RequestError:
      return { ok: false, permanent: false, reason: `network: ${e.message ?? 'request failed'}` };
    default:
      if (e.message && SDK_RATE_LIMITED.test(e.message)) {
        // The SDK reads only whole seconds; an HTTP-date (RFC 9110) is left in its message, read here.
        const after = retryAfterMs(/retry-after header: (.*)\)$/.exec(e.message)?.[1], Date.now());
        return { ok: false, permanent: false, rateLimited: true, refusal: '429', reason: `http_429: ${e.message}`, ...(after !== undefined ? { retryAfterMs: after } : {}) };
      }
      return { ok: false, permanent: false, reason: e.message ?? String(error) };
  }
}

/** Direct messages: chat.postMessage to the user id posts into the app's DM with that person. */
export class SlackSender implements ChannelSender {
  readonly kind = 'slack' as const;

  constructor(private readonly client: webApi.WebClient) {}

  async send(address: string, message: Message): Promise<SendResult> {
    try {
      const { text, blocks } = renderMessage(message);
      const result = await this.client.chat.postMessage({ channel: address, text, blocks, unfurl_links: false, unfurl_media: false });
      // chat.update needs the conversation (the DM's D… id, not the user id) as well as the ts.
      return { ok: true, ...(result.ts ? { providerId: result.channel ? `${result.channel}:${result.ts}` : result.ts } : {}) };
    } catch (error) {
      return toSendResult(error);
    }
  }

  /** chat.update of a message sent before; `providerId` is "channel:ts" as send() returned it. */
  async update(_address: string, providerId: string, message: Message): Promise<SendResult> {
    const [channel, ts] = providerId.split(':');
    if (!channel || !ts) return { ok: false, permanent: true, reason: `not a Slack message reference: ${providerId}` };
    try {
      const { text, blocks } = renderMessage(message);
      await this.client.chat.update({ channel, ts, text, blocks });
      return { ok: true, providerId };
    } catch (error) {
      return toSendResult(error);
    }
  }
}
