import { CloudAdapter } from 'botbuilder';
import type { Logger } from '../../src/log.js';
import type { BotPort, ChannelAdapter, Message } from '../../src/ports/channel.port.js';
import { messagesMount } from './http-mount.js';
import { NoRetryBotFrameworkAuthentication } from './teams-auth.js';
import { TeamsDirectory } from './teams-directory.js';
import { TeamsSender } from './teams-sender.js';
import { turnLogic } from './teams-turn.js';

export { TEAMS_MESSAGES_PATH } from './http-mount.js';

export interface TeamsAdapterOptions {
  /** MicrosoftAppId, MicrosoftAppPassword, MicrosoftAppType (MultiTenant | SingleTenant | UserAssignedMSI), MicrosoftAppTenantId. */
  appId?: string;
  appPassword?: string;
  appType?: string;
  tenantId?: string;
  /** TEAMS_DEV_NO_AUTH=1: no Bot Framework auth at all, for a local emulator only. */
  devNoAuth: boolean;
  bot: BotPort;
  log: Logger;
  publicUrl: string;
  /** A turn slower than this answers "one moment" and posts the answer later; Teams allows 5 s for a card Submit. */
  answerBudgetMs?: number;
  /** Per request to the Bot Connector (replies, member lookups, proactive sends). */
  connectorTimeoutMs?: number;
}

/**
 * Microsoft Teams over Bot Framework (botbuilder 4.23 CloudAdapter) at POST /api/messages.
 * The only folder that imports botbuilder: render-card.ts and teams-incoming.ts are plain
 * TypeScript, so moving to the Microsoft 365 Agents SDK means redoing this file, teams-auth,
 * http-mount, teams-directory, teams-turn and teams-sender's few calls.
 *
 * @example
 * const teams = createTeamsAdapter({ appId, appPassword, appType, tenantId, devNoAuth: false, bot, log, publicUrl });
 * createHttpServer({ routes, mounts: [...teams.mounts], metrics, log });
 * await teams.start();
 */
export function createTeamsAdapter(options: TeamsAdapterOptions): ChannelAdapter {
  const { bot, log } = options;
  const appId = options.devNoAuth ? '' : options.appId?.trim();
  if (!options.devNoAuth && !appId) {
    throw new Error(
      'Teams needs MicrosoftAppId (and MicrosoftAppPassword, MicrosoftAppType) from the bot\'s Azure registration, e.g. MicrosoftAppId=00000000-0000-0000-0000-000000000000; TEAMS_DEV_NO_AUTH=1 only for a local emulator',
    );
  }
  const auth = new NoRetryBotFrameworkAuthentication({ ...options, appId, devNoAuth: options.devNoAuth }, options.connectorTimeoutMs);
  const adapter = new CloudAdapter(auth);
  // Proactive sends must name the bot's app id: with none the connector sends no token and
  // Teams answers 401. In dev-no-auth mode there is no id and the emulator wants no token.
  const sender = new TeamsSender(adapter, appId ?? '');

  const pending = new Set<Promise<void>>();
  const sendLate = (address: string, answer: Promise<Message | undefined>) => {
    const job = answer
      .then((message) => (message ? sender.send(address, message) : { ok: true as const }))
      .then((result) => {
        if (!result.ok) log.warn({ reason: result.reason }, 'teams late answer not delivered');
      })
      .catch((error: unknown) => log.error({ err: error }, 'teams late answer failed'))
      .finally(() => pending.delete(job));
    pending.add(job);
  };

  const logic = turnLogic({ bot, directory: new TeamsDirectory(log), log, answerBudgetMs: options.answerBudgetMs ?? 4000, sendLate });
  return {
    kind: 'teams',
    sender,
    mounts: [messagesMount(adapter, logic, log, { authenticated: !options.devNoAuth, authenticate: (activity, header) => auth.authenticateRequest(activity, header) })],
    async start() {
      if (options.devNoAuth) log.warn('Teams runs WITHOUT Bot Framework authentication (TEAMS_DEV_NO_AUTH=1): for a local emulator only');
    },
    /** Waits for answers that were still being prepared. */
    async stop() {
      await Promise.allSettled([...pending]);
    },
  };
}
