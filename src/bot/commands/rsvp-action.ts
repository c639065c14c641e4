import { outcomeText } from '../../invitations/answer-text.js';
import { answerInvitation, type Answer } from '../../invitations/rsvp.js';
import type { Message } from '../../ports/channel.port.js';
import type { ActionHandler } from './context.js';

const VERBS: Record<string, Answer> = { 'rsvp:accept': 'accepted', 'rsvp:decline': 'declined', 'rsvp:maybe': 'maybe' };

/** The accept / maybe / decline buttons of an invitation (Slack, Teams): value is the activity id. */
export const rsvpAction: ActionHandler = async (ctx, action) => {
  const answer = VERBS[action.actionId];
  const language = ctx.person.language;
  const outcome = answer
    ? await answerInvitation(ctx.db, ctx.clock, { activityId: action.value, personId: ctx.person.id, answer })
    : ({ ok: false, code: 'unknown_activity' } as const);
  if (outcome.ok && !outcome.unchanged) ctx.changed();
  const said = outcomeText(outcome, language);
  const message: Message = { language, title: said.title, text: said.text };
  return message;
};
