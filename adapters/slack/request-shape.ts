import { parse as parseQuery } from 'node:querystring';
import { boltRouteProblem } from './bolt-route-shape.js';

/**
 * What a signed body must look like before Bolt sees it. Bolt 5.1 reads `body.ssl_check` of
 * whatever JSON.parse gave, outside any try: a signed `null` or `payload=null` rejected a
 * promise nobody awaited and ended the process. Our listeners read a few fields more (a
 * command's text, an action's id, a modal's state); each is checked here, so a request that
 * is not what Slack sends gets a 400 and a log line, never a crash or a half-run listener.
 * What Bolt's own routing reads (channel, user, event.item...) is checked in bolt-route-shape.ts.
 */

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string';

/** Parsed as Bolt parses it (HTTPModuleFunctions.parseHTTPRequestBody), or why it cannot be. */
export function parseSlackBody(text: string, contentType: string | undefined): { body: Json } | { problem: string } {
  let parsed: unknown;
  try {
    if (contentType === 'application/x-www-form-urlencoded') {
      const query = parseQuery(text);
      if (query.payload === undefined) return { body: { ...query } };
      if (!isString(query.payload)) return { problem: 'payload given more than once' };
      parsed = JSON.parse(query.payload);
    } else parsed = JSON.parse(text);
  } catch {
    return { problem: 'body is not JSON' };
  }
  return isObject(parsed) ? { body: parsed } : { problem: `body is JSON ${parsed === null ? 'null' : Array.isArray(parsed) ? 'array' : typeof parsed}, not an object` };
}

/** Undefined when the body has every field our listeners and Bolt's routing read; else what is wrong. */
export function shapeProblem(body: Json): string | undefined {
  return boltRouteProblem(body) ?? listenerProblem(body);
}

function listenerProblem(body: Json): string | undefined {
  if ('command' in body) return commandProblem(body);
  switch (body.type) {
    case 'url_verification':
      return isString(body.challenge) ? undefined : 'url_verification without a challenge';
    case 'event_callback':
      return eventProblem(body);
    case 'block_actions':
      return userProblem(body) ?? actionsProblem(body);
    case 'view_submission':
    case 'view_closed':
      return userProblem(body) ?? viewProblem(body.view);
    default:
      // Other kinds (shortcuts, suggestions, rate-limit notices) reach no listener of ours:
      // Bolt may route them as long as they name their type (and pass boltRouteProblem).
      return isString(body.type) ? undefined : 'no type';
  }
}

function commandProblem(body: Json): string | undefined {
  for (const field of ['command', 'text', 'user_id', 'trigger_id', 'response_url']) {
    if (!isString(body[field])) return `command field ${field} missing or given twice`;
  }
  return undefined;
}

function eventProblem(body: Json): string | undefined {
  const event = body.event;
  if (!isString(body.event_id)) return 'event without event_id';
  if (!isObject(event) || !isString(event.type)) return 'event_callback without an event object';
  if (event.type === 'app_home_opened' && !(isString(event.user) && isString(event.tab))) return 'app_home_opened without user or tab';
  return undefined;
}

function userProblem(body: Json): string | undefined {
  if (!isObject(body.user) || !isString(body.user.id)) return `${String(body.type)} without user.id`;
  if (body.type !== 'view_closed' && !isString(body.trigger_id)) return `${String(body.type)} without trigger_id`;
  return undefined;
}

function actionsProblem(body: Json): string | undefined {
  const { actions } = body;
  if (!Array.isArray(actions) || actions.length === 0) return 'block_actions without actions';
  for (const action of actions) {
    if (!isObject(action) || !isString(action.type) || !isString(action.action_id)) return 'an action without type or action_id';
    if (action.value !== undefined && !isString(action.value)) return 'an action value that is not text';
  }
  if (body.view !== undefined && body.view !== null && !isObject(body.view)) return 'block_actions with a view that is not an object';
  return undefined;
}

function viewProblem(view: unknown): string | undefined {
  if (!isObject(view) || !isString(view.callback_id)) return 'view without callback_id';
  if (view.blocks !== undefined && !(Array.isArray(view.blocks) && view.blocks.every(isObject))) return 'view blocks not a list of objects';
  const values = isObject(view.state) ? view.state.values : undefined;
  if (!isObject(values)) return 'view without state.values';
  for (const actions of Object.values(values)) {
    if (!isObject(actions)) return 'a block state that is not an object';
    for (const state of Object.values(actions)) {
      if (!isObject(state)) return 'an input state that is not an object';
      if (state.value !== undefined && state.value !== null && !isString(state.value)) return 'an input value that is not text';
      const option = state.selected_option;
      if (option !== undefined && option !== null && !(isObject(option) && isString(option.value))) return 'a selected option without a value';
    }
  }
  return undefined;
}
