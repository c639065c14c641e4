import type { CloudAdapter, ConversationReference } from 'botbuilder';
import type { ChannelSender, Message, SendResult } from '../../src/ports/channel.port.js';
import { retryAfterMs } from '../../src/ports/retry-after.js';
import { renderCard } from './render-card.js';

/** The fields of a stored address without which continueConversationAsync cannot post. */
function parseReference(address: string): Partial<ConversationReference> | string {
  let reference: unknown;
  try {
    reference = JSON.parse(address);
  } catch {
    return 'teams: the stored address is not a conversation reference; the person has to write to the bot in Teams again';
  }
  const r = reference as Partial<ConversationReference> | null;
  const missing = [
    typeof r?.serviceUrl === 'string' && /^https?:\/\//.test(r.serviceUrl) ? undefined : 'serviceUrl',
    typeof r?.conversation?.id === 'string' && r.conversation.id ? undefined : 'conversation.id',
    typeof r?.channelId === 'string' ? undefined : 'channelId',
  ].filter(Boolean);
  if (!r || missing.length) return `teams: the stored conversation reference lacks ${missing.join(', ')}; the person has to write to the bot in Teams again`;
  return r;
}

interface ConnectorError {
  statusCode?: number;
  code?: string;
  errorCode?: string;
  name?: string;
  message?: string;
  response?: { headers?: { get?(name: string): string | undefined }; bodyAsText?: string | null };
  details?: { error?: { code?: string; message?: string } };
}

/** Teams' own word for a failure ("ConversationNotFound", "BotNotInConversationRoster", …). */
function teamsCode(e: ConnectorError): string | undefined {
  if (e.details?.error?.code) return e.details.error.code;
  try {
    const body = JSON.parse(e.response?.bodyAsText ?? '') as { error?: { code?: string } };
    return body.error?.code;
  } catch {
    return undefined;
  }
}


/**
 * A connector failure as a SendResult (https://learn.microsoft.com/microsoftteams/platform/bots/build-conversational-capability#status-codes-from-bot-conversational-apis):
 * 429 and 412 temporary with Retry-After; 5xx, 408 and network errors temporary; 403
 * (bot blocked or removed) and 404 (conversation gone) permanent; 401 and Entra ID refusing the
 * app's secret are settings problems (temporary, and the operators are told).
 * An unknown error counts as temporary: the engine gives up after a few attempts, whereas a
 * wrong "permanent" loses the message.
 */
export function toSendResult(error: unknown): SendResult {
  const e = (error ?? {}) as ConnectorError;
  const status = e.statusCode;
  const code = teamsCode(e);
  const why = `teams: http ${status}${code ? ` ${code}` : ''}`;
  if (status === 429 || status === 412) {
    const after = retryAfterMs(e.response?.headers?.get?.('retry-after'), Date.now());
    // A 412 is "most likely a concurrent operation on the same conversation": its wait holds that conversation only.
    return { ok: false, permanent: false, ...(status === 429 ? { rateLimited: true as const, refusal: '429' } : { addressOnly: true as const }), reason: why, ...(after !== undefined ? { retryAfterMs: after } : {}) };
  }
  // Our credentials, not this message: kept for when they are fixed, and the operators are told.
  if (status === 401) return { ok: false, permanent: false, settings: true, reason: `${why}: Teams refused the bot's credentials (check MicrosoftAppId, MicrosoftAppPassword, MicrosoftAppType)` };
  if (status === 403) return { ok: false, permanent: true, reason: `${why}: the bot may not post here (blocked, uninstalled, or disabled by an admin)` };
  if (status === 404) return { ok: false, permanent: true, reason: `${why}: the conversation is gone (the app was removed or the user blocked the bot)` };
  if (status !== undefined && status >= 400 && status < 500 && status !== 408) return { ok: false, permanent: true, reason: why };
  if (status !== undefined) return { ok: false, permanent: false, reason: why };
  // MSAL: Entra ID refused the app id or secret while getting a token.
  if (e.errorCode && /invalid_client|unauthorized_client|invalid_request/.test(e.errorCode)) {
    return { ok: false, permanent: false, settings: true, reason: `teams: Entra ID refused the bot's credentials (${e.errorCode}); check MicrosoftAppId and MicrosoftAppPassword` };
  }
  return { ok: false, permanent: false, reason: `teams: ${e.name === 'AbortError' ? 'timed out' : (e.code ?? e.message ?? String(error))}` };
}

/**
 * Proactive messages: the conversation reference stored when the person wrote or installed the
 * app, continued with the bot's app id. Without the app id the connector sends no token and
 * Teams answers 401. Every send is awaited and reports its own result.
 */
export class TeamsSender implements ChannelSender {
  readonly kind = 'teams' as const;

  constructor(
    private readonly adapter: CloudAdapter,
    private readonly appId: string,
  ) {}

  async send(address: string, message: Message): Promise<SendResult> {
    const reference = parseReference(address);
    if (typeof reference === 'string') return { ok: false, permanent: true, reason: reference };
    let providerId: string | undefined;
    let failure: unknown;
    try {
      // Errors inside the callback would go to the adapter's onTurnError; we keep them ourselves.
      await this.adapter.continueConversationAsync(this.appId, reference, async (context) => {
        try {
          providerId = (await context.sendActivity(renderCard(message)))?.id;
        } catch (error) {
          failure = error ?? new Error('sendActivity failed');
        }
      });
    } catch (error) {
      failure = error ?? new Error('continueConversationAsync failed');
    }
    if (failure !== undefined) return toSendResult(failure);
    return { ok: true, ...(providerId ? { providerId } : {}) };
  }

  /** updateActivity of a card sent before (an invitation that changed or was cancelled). */
  async update(address: string, providerId: string, message: Message): Promise<SendResult> {
    const reference = parseReference(address);
    if (typeof reference === 'string') return { ok: false, permanent: true, reason: reference };
    let failure: unknown;
    try {
      await this.adapter.continueConversationAsync(this.appId, reference, async (context) => {
        try {
          await context.updateActivity({ ...renderCard(message), id: providerId });
        } catch (error) {
          failure = error ?? new Error('updateActivity failed');
        }
      });
    } catch (error) {
      failure = error ?? new Error('continueConversationAsync failed');
    }
    return failure === undefined ? { ok: true, providerId } : toSendResult(failure);
  }
}
