/**
 * What Bolt 5.1 itself reads of a signed body before any listener runs, outside any try:
 * App.processEvent calls getTypeAndConversation (helpers.js), isBodyWithTypeEnterpriseInstall
 * and buildSource (App.js). They use `in` on `event`, `event.channel`, `event.item` and read
 * `channel.id`, `user.id`, `user.team_id`, `view.app_installed_team_id`, `authorizations[0].team_id`:
 * a null (or a number where `in` is used) there throws a TypeError and the request gets a 500.
 * Each such field must be an object or absent (text too, where Bolt tests for text first).
 */

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isTextOrObject = (v: unknown) => typeof v === 'string' || isObject(v);
const objectOrAbsent = (v: unknown) => v === undefined || isObject(v);

/** Undefined when Bolt can route the body without throwing; else what it would trip over. */
export function boltRouteProblem(body: Json): string | undefined {
  // The order is getTypeAndConversation's: the first field present decides the kind.
  if (body.event !== undefined) return eventRouteProblem(body);
  if (body.command !== undefined) return undefined; // Bolt reads only text fields of a command
  const kind = interactiveKind(body);
  if (!kind) return undefined; // Bolt logs "could not determine the type" and acks
  if (!isObject(body.user)) return `${kind} without a user object`;
  if (kind !== 'view' && !objectOrAbsent(body.channel)) return `${kind} with a channel that is not an object`;
  if (kind === 'view' && !isObject(body.view)) return 'view payload without a view object';
  for (const field of ['team', 'enterprise'] as const) {
    if (body[field] !== undefined && body[field] !== null && !isObject(body[field])) return `${kind} with a ${field} that is not an object`;
  }
  if (kind === 'action' && body.actions !== undefined && !(Array.isArray(body.actions) && body.actions.every(isObject))) return 'actions not a list of objects';
  return undefined;
}

/** Bolt's kinds of an interactive body (options, action, shortcut, view), as it tells them apart. */
function interactiveKind(body: Json): 'options' | 'action' | 'shortcut' | 'view' | undefined {
  if (body.name !== undefined || body.type === 'block_suggestion') return 'options';
  if (body.actions !== undefined || body.type === 'dialog_submission') return 'action';
  if (body.type === 'shortcut' || body.type === 'message_action') return 'shortcut';
  if (body.type === 'view_submission' || body.type === 'view_closed') return 'view';
  return undefined;
}

function eventRouteProblem(body: Json): string | undefined {
  const { event } = body;
  if (!isObject(event)) return 'event that is not an object';
  if (typeof event.type !== 'string') return 'event without a type';
  if (event.channel !== undefined && !isTextOrObject(event.channel)) return 'event.channel neither text nor an object';
  if (event.user !== undefined && !isTextOrObject(event.user)) return 'event.user neither text nor an object';
  if (!objectOrAbsent(event.item)) return 'event.item that is not an object';
  if (!objectOrAbsent(event.subteam)) return 'event.subteam that is not an object';
  const { authorizations } = body;
  if (Array.isArray(authorizations) && authorizations.length > 0 && !isObject(authorizations[0])) return 'authorizations[0] that is not an object';
  return undefined;
}
