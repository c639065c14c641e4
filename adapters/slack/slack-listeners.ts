import type { ServerResponse } from 'node:http';
import type { AckFn, App, BlockAction, Context, Middleware, RespondArguments, RespondFn, SlackCommandMiddlewareArgs, SlackEventMiddlewareArgs, ViewSubmitAction, webApi } from '@slack/bolt';
import { bilingualApology } from '../../src/i18n/bot-messages.js';
import type { Logger } from '../../src/log.js';
import type { BotPort, Message } from '../../src/ports/channel.port.js';
import { actionIdOf, clip, LINK_ACTION_PREFIX, renderMessage, type SlackMessage } from './render-blocks.js';
import { readFormValues, renderModal } from './render-modal.js';
import type { SlackDirectory } from './slack-directory.js';
import type { SlackSender } from './slack-sender.js';

export interface ListenerDeps {
  bot: BotPort;
  client: webApi.WebClient;
  directory: SlackDirectory;
  sender: SlackSender;
  log: Logger;
  /** The slash command, "/pzk". */
  command: string;
  /** How long a command may take before the ack goes out empty and the answer follows via response_url. */
  ackBudgetMs: number;
}

/** Anything unexpected becomes the core's short apology with an id, and a log line with the same id. */
async function safely<T extends Message | undefined>(log: Logger, work: () => Promise<T>): Promise<T | Message> {
  try {
    return await work();
  } catch (error) {
    const id = Math.random().toString(36).slice(2, 10);
    log.error({ err: error, errorId: id }, 'slack request failed');
    return bilingualApology(id);
  }
}

/** Slack shows a field error under its input; a long one is cut, as Block Kit cuts texts. */
const MAX_FIELD_ERROR = 500;

/** True when the submitted modal has an input block with this id (block_id = form field id, render-modal.ts). */
function hasBlock(view: ViewSubmitAction['view'], blockId: string): boolean {
  return Boolean(view.state?.values?.[blockId]) || (view.blocks ?? []).some((b) => (b as { block_id?: string }).block_id === blockId);
}

/** The context key under which screened-receiver.ts gives listeners the request's HTTP response. */
export const HTTP_RESPONSE = 'kooperatorHttpResponse';

type CommandAck = SlackMessage & { response_type: 'ephemeral' };

// The core hands out the same Message object for the same answer (e.g. a team's next meetings
// in one language), so its ack is rendered and serialized once. Messages are never changed once made.
const acks = new WeakMap<Message, { body: CommandAck; json: string; length: string }>();
function commandAck(message: Message): { body: CommandAck; json: string; length: string } {
  let ack = acks.get(message);
  if (!ack) {
    const body: CommandAck = { response_type: 'ephemeral', ...renderMessage(message) };
    const json = JSON.stringify(body);
    acks.set(message, (ack = { body, json, length: String(Buffer.byteLength(json)) }));
  }
  return ack;
}

/**
 * Acks a command with its answer. An object would be serialized on every ack (a tenth of a busy
 * command's CPU); a string goes out as it is, but without a content type, so over HTTP the
 * JSON made once goes out with the header set here. Socket Mode has no response: the object.
 */
function ackWithAnswer(ack: AckFn<string | RespondArguments>, context: Context, message: Message): Promise<void> {
  const { body, json, length } = commandAck(message);
  const response = context[HTTP_RESPONSE] as ServerResponse | undefined;
  if (!response || response.headersSent) return ack(body);
  response.setHeader('content-type', 'application/json');
  // The length counted once per answer, not by Node on every ack (screened-receiver.ts sends
  // head and body in one write either way).
  response.setHeader('content-length', length);
  return ack(json);
}

function beforeDeadline<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<undefined>((resolve) => (timer = setTimeout(resolve, ms, undefined)));
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/**
 * Wires Slack's four ways in to the core: the slash command, buttons, modal submissions and
 * App Home. Every Events API delivery is processed once: Slack redelivers (X-Slack-Retry-Num)
 * when an ack is late; the core records a trigger with the change it causes (handleOnce), across replicas.
 */
export function registerListeners(app: App, deps: ListenerDeps): void {
  const { bot, client, directory, sender, log } = deps;

  const openForm = async (triggerId: string, answer: Message, userId: string, respond?: RespondFn) => {
    try {
      await client.views.open({ trigger_id: triggerId, view: renderModal(answer.form!, answer.language) });
    } catch (error) {
      // A trigger lives 3 seconds; when it is gone the person at least reads the answer.
      log.warn({ err: error }, 'views.open failed');
      const { form: _form, ...rest } = answer;
      await (respond ? respond({ response_type: 'ephemeral', ...renderMessage(rest) }) : deliver(userId, rest));
    }
  };

  const publishHome = async (userId: string) => {
    const home = await safely(log, async () => bot.home(await directory.sender(userId)));
    await client.views.publish({ user_id: userId, view: { type: 'home', blocks: renderMessage(home).blocks } });
  };

  const deliver = async (userId: string, message: Message) => {
    const result = await sender.send(userId, message);
    if (!result.ok) log.warn({ slackUser: userId, reason: result.reason }, 'slack answer not delivered');
  };

  // A listener middleware of each event listener rather than a global one: commands (the
  // busiest requests, never retried) do not pass through it.
  // The event is recorded once handled. Bolt acknowledges an event before its listeners run, so
  // Slack redelivers only an event whose acknowledgement it did not get (a network fault), not
  // one whose handling failed; a redelivery that comes while the first is still being handled
  // runs twice, which is harmless here: the one such event publishes the home tab, which
  // replaces itself.
  // (Events change nothing stored; a button or a form takes its key with its change, handleOnce.)
  const onlyFirstDelivery: Middleware<SlackEventMiddlewareArgs> = async ({ body, next }) => {
    const key = `slack:${body.event_id}`;
    if (await bot.seenBefore(key)) {
      log.debug({ eventId: body.event_id }, 'slack event seen before');
      return;
    }
    await next();
    await bot.firstTime(key);
  };

  // Slack never retries a slash command (a late ack shows the person an error instead), so
  // commands are not recorded; answering in the ack keeps them one round trip.
  const answerCommand = async ({ command, ack, respond, context }: SlackCommandMiddlewareArgs & { context: Context }) => {
    const text = command.text.trim();
    const word = text.split(/\s+/, 1)[0] ?? '';
    const rest = text.slice(word.length).trim();
    // The same question again (most commands are `spotkania`): answered from memory, without
    // the e-mail lookup, a timer or a promise of our own.
    const again = bot.answerAgain?.({ type: 'command', from: { channel: 'slack', externalId: command.user_id, address: command.user_id }, command: word, text: rest });
    if (again && !again.form) return ackWithAnswer(ack, context, again);
    const work = safely(log, async () => bot.handle({ type: 'command', from: await directory.sender(command.user_id), command: word, text: rest }));
    const answer = await beforeDeadline(work, deps.ackBudgetMs);
    if (answer && !answer.form) return ackWithAnswer(ack, context, answer);
    await ack();
    const late = answer ?? (await work);
    if (late.form) await openForm(command.trigger_id, late, command.user_id, respond);
    else await respond({ response_type: 'ephemeral', ...renderMessage(late) });
  };
  // Bolt runs the middleware chain of every listener for every request (copying the arguments
  // for each step), so with the four listeners below a command paid for all four: commands,
  // the busiest requests, are answered by this global middleware, which ends the chain.
  app.use(async (args) => {
    if ('command' in args && args.command.command === deps.command) return answerCommand(args);
    await args.next();
  });

  app.action<BlockAction>({ type: 'block_actions' }, async ({ ack, body, action }) => {
    await ack();
    // Link buttons report their clicks too; only our own buttons mean something.
    if (action.type !== 'button' || action.action_id.startsWith(LINK_ACTION_PREFIX)) return;
    const answer = await safely(log, async () =>
      bot.handleOnce(`slack:trigger:${body.trigger_id}`, { type: 'action', from: await directory.sender(body.user.id), actionId: actionIdOf(action.action_id), value: action.value ?? '' }),
    );
    if (!answer) return;
    if (answer.form) await openForm(body.trigger_id, answer, body.user.id);
    else await deliver(body.user.id, answer);
    // A button pressed on the App Home (an invitation's answer): the home shows the new state.
    if (body.view?.type === 'home') await publishHome(body.user.id);
  });

  // The answer is awaited (within the ack budget) before the ack: a refusal that names a field
  // of the modal goes back as response_action "errors", so the modal stays open with what the
  // person typed and the reason under that field. Anything else closes it and goes as a message.
  app.view<ViewSubmitAction>({ callback_id: /.*/, type: 'view_submission' }, async ({ ack, body, view }) => {
    const work = safely(log, async () =>
      bot.handleOnce(`slack:trigger:${body.trigger_id}`, { type: 'form', from: await directory.sender(body.user.id), formId: view.callback_id, values: readFormValues(view.state.values) }),
    );
    const answer = await beforeDeadline(work, deps.ackBudgetMs);
    const refused = answer?.formError;
    if (refused && hasBlock(view, refused.fieldId)) return ack({ response_action: 'errors', errors: { [refused.fieldId]: clip(refused.text, MAX_FIELD_ERROR) } });
    await ack({ response_action: 'clear' });
    // undefined: this submission was handled before, its answer went out then.
    const late = answer ?? (await work);
    if (late) await deliver(body.user.id, late);
  });

  app.event('app_home_opened', onlyFirstDelivery, async ({ event }) => {
    if (event.tab !== 'home') return;
    await publishHome(event.user);
  });
}
