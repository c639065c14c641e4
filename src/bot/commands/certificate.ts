import { fold } from '../parse-command.js';
import { proofMessages } from '../../i18n/proof-messages.js';
import { attendedActivities, sendCertificates, type Attended } from '../../participation/certificates.js';
import type { CommandHandler } from './context.js';

/**
 * `zaświadczenie [aktywność]` / `certificate [activity]`: the person's own zaświadczenie o
 * udziale for a training or workshop they were present at. Alone: the one such event, or the
 * list to choose from; with an id (or a word of the title): that one. The certificate's link
 * comes through the outbox (one message, the person's own link), like RCPS's sending.
 */
export const certificateCommand: CommandHandler = async (ctx) => {
  const { person, text } = ctx;
  const language = person.language;
  const t = proofMessages[language];
  const attended = await attendedActivities(ctx.db, person.id);
  if (attended.length === 0) return { language, title: t.commandTitle, text: t.commandNone };
  const asked = text.trim();
  const chosen: Attended[] = asked ? matching(attended, asked) : attended;
  if (asked && chosen.length === 0) return { language, title: t.commandTitle, text: t.commandUnknown(asked) };
  if (chosen.length > 1) {
    return {
      language,
      title: t.commandTitle,
      text: t.commandChoose(chosen.length),
      items: chosen.map((a) => ({ title: a.activity.title, lines: [a.activity.id, a.days.join(', ')] })),
    };
  }
  const activity = chosen[0]!.activity;
  const { certificates } = await sendCertificates(ctx.db, { activityId: activity.id, personIds: [person.id], mode: 'request', now: ctx.clock.now() });
  ctx.changed();
  const number = certificates[0]?.number ?? '';
  return { language, title: t.certificateTitle(activity.title), text: t.commandSent(number, activity.title) };
};

/** By id first, then by every word of the title (case and Polish letters folded). */
function matching(attended: Attended[], asked: string): Attended[] {
  const byId = attended.filter((a) => a.activity.id === asked);
  if (byId.length) return byId;
  const words = asked.split(/\s+/).map(fold);
  return attended.filter((a) => words.every((w) => fold(a.activity.title).includes(w)));
}
