import { saveRegistration } from '../../registration/save-registration.js';
import { registrationOutcomeMessage } from '../../registration/registration-replies.js';
import type { CommandContext, FormHandler } from './context.js';

/** The submitted registration form ("registration:<activity id>") from Slack, Teams or the terminal (the e-mail page saves through the same saveRegistration). */
export const registrationFormHandler: FormHandler = async (ctx: CommandContext, values, formId) => {
  const activityId = formId.slice(formId.indexOf(':') + 1);
  const language = ctx.person.language;
  const outcome = await saveRegistration(ctx.db, ctx.clock, { activityId, personId: ctx.person.id, values, language });
  if (outcome.ok && !outcome.unchanged) ctx.changed();
  return registrationOutcomeMessage(outcome, language);
};
