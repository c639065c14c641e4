import { outcomeText } from '../../invitations/answer-text.js';
import { answerInvitation, type Answer } from '../../invitations/rsvp.js';
import { registrationMessages } from '../../i18n/registration-messages.js';
import type { Message } from '../../ports/channel.port.js';
import type { ActionHandler } from './context.js';
import { registrationFormFor } from '../../registration/registration-replies.js';

const VERBS: Record<string, Answer> = { 'rsvp:accept': 'accepted', 'rsvp:decline': 'declined', 'rsvp:maybe': 'maybe' };

/**
 * The accept / maybe / decline buttons of an invitation (Slack, Teams): value is the activity id.
 * "I will come" to an activity with registration questions comes back with their form (a Slack
 * modal, an Adaptive Card, numbered questions in the terminal); pressed again, the same form
 * with the answers given, to change them until the deadline.
 */
export const rsvpAction: ActionHandler = async (ctx, action) => {
  const answer = VERBS[action.actionId];
  const language = ctx.person.language;
  const outcome = answer
    ? await answerInvitation(ctx.db, ctx.clock, { activityId: action.value, personId: ctx.person.id, answer })
    : ({ ok: false, code: 'unknown_activity' } as const);
  if (outcome.ok && !outcome.unchanged) ctx.changed({ activityId: action.value, personId: ctx.person.id });
  const said = outcomeText(outcome, language);
  const message: Message = { language, title: said.title, text: said.text };
  if (!outcome.ok || (outcome.status !== 'accepted' && outcome.status !== 'waiting')) return message;
  if (!outcome.hasQuestions) return message;
  const intro = registrationMessages[language].formIntro(said.text);
  const form = await registrationFormFor(ctx.db, outcome.activity.id, ctx.person.id, language, intro);
  // The text says the same as the intro: a card or the terminal shows the text above the form, a Slack modal only the intro.
  return form ? { ...message, text: intro, form } : message;
};
