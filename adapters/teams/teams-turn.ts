import { createHash } from 'node:crypto';
import { ActivityTypes, TurnContext } from 'botbuilder';
import type { Logger } from '../../src/log.js';
import type { BotPort, Incoming, Message } from '../../src/ports/channel.port.js';
import { renderCard } from './render-card.js';
import type { TeamsDirectory } from './teams-directory.js';
import { botWasAdded, incomingOf, placesOf } from './teams-incoming.js';

export interface TurnDeps {
  bot: BotPort;
  directory: TeamsDirectory;
  log: Logger;
  /** How long a turn may take before it answers "one moment" and sends the answer later. */
  answerBudgetMs: number;
  /** Sends an answer that missed the budget, to this conversation (a JSON conversation reference). */
  sendLate: (address: string, answer: Promise<Message | undefined>) => void;
}

/** The adapter's own few words; everything else comes from the core. */
export const teamsTexts = {
  workingOn: { language: 'pl', title: 'Chwileczkę… / One moment…', text: 'Przygotowujemy odpowiedź i zaraz ją tu wyślemy.\n\n_We are preparing the answer and will post it here shortly._' },
  failed: { language: 'pl', title: 'Przepraszamy / Sorry', text: 'Coś poszło nie tak po naszej stronie. Prosimy spróbować ponownie za chwilę.\n\n_Something went wrong on our side. Please try again in a moment._' },
} satisfies Record<string, Message>;

const TIMEOUT = Symbol('timeout');

function within<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMEOUT> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<typeof TIMEOUT>((resolve) => (timer = setTimeout(() => resolve(TIMEOUT), Math.max(0, ms))));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/**
 * The bot's logic for CloudAdapter.process(): a message is a command or a card Submit, an
 * install (conversationUpdate adding the bot) says hello. Teams expects an answer to a card
 * Submit within 5 seconds, so a core slower than the budget gets "one moment" now and its
 * answer as a proactive message when ready (kept simple: no update of the first card).
 */
export function turnLogic(deps: TurnDeps): (context: TurnContext) => Promise<void> {
  const { bot, directory, log } = deps;

  /**
   * Bot Framework redelivers an activity it got no timely answer for; the core takes its key in
   * the transaction of the change it causes, so each is handled once and a failed one again.
   */
  const answer = async (context: TurnContext, incoming: Incoming, deadline: number) => {
    const key = eventKey(context);
    const work = key ? bot.handleOnce(key, incoming) : bot.handle(incoming);
    const first = await within(work, deadline - Date.now());
    if (first !== TIMEOUT) {
      // undefined: handled before, its answer went out then.
      if (first) await context.sendActivity(renderCard(first));
      return;
    }
    log.info({ type: incoming.type, budgetMs: deps.answerBudgetMs }, 'teams answer slower than the budget: sending it later');
    await context.sendActivity(renderCard(teamsTexts.workingOn));
    deps.sendLate(JSON.stringify(TurnContext.getConversationReference(context.activity)), work);
  };

  const eventKey = (context: TurnContext) => {
    const { id, conversation } = context.activity;
    if (!id) return undefined;
    return `teams:${createHash('sha256').update(`${conversation?.id ?? ''}\n${id}`).digest('base64url').slice(0, 32)}`;
  };

  /**
   * Teams posts to a channel only through the serviceUrl and tenant of its team, which reach us
   * only in the team's activities: each one teaches the core how to post to the team and channel
   * it came from; an install also lists the team's other channels. A failure here only delays that.
   */
  const learnPlaces = async (context: TurnContext) => {
    const activity = context.activity;
    if (!activity.channelData?.team?.id) return;
    try {
      const listed = activity.type === ActivityTypes.ConversationUpdate && botWasAdded(activity) ? await directory.channelIds(context, deps.answerBudgetMs / 4) : [];
      for (const place of placesOf(activity, listed)) await bot.linkPlace(place);
    } catch (error) {
      log.warn({ err: error }, 'teams channel addresses not stored');
    }
  };

  return async (context) => {
    const deadline = Date.now() + deps.answerBudgetMs;
    const activity = context.activity;
    await learnPlaces(context);
    try {
      if (activity.type === ActivityTypes.Message) {
        const from = await directory.sender(context, deps.answerBudgetMs / 2);
        await answer(context, incomingOf(activity, from), deadline);
      } else if (activity.type === ActivityTypes.ConversationUpdate && botWasAdded(activity)) {
        // In a personal chat the author is the person who installed the app; in a team the
        // installer gets the welcome in the channel, recognised by e-mail only (teams-incoming.ts).
        const from = await directory.sender(context, deps.answerBudgetMs / 2);
        await answer(context, { type: 'hello', from }, deadline);
      }
    } catch (error) {
      const errorId = Math.random().toString(36).slice(2, 10);
      log.error({ err: error, errorId, activityType: activity.type }, 'teams turn failed');
      await context.sendActivity(renderCard(teamsTexts.failed)).catch(() => undefined);
    }
  };
}
