import { DateTime } from 'luxon';
import { zoned } from '../../domain/local-time.js';
import { formatDateTime } from '../../i18n/format.js';
import { invitationMessages, workshopViewMessages } from '../../i18n/invitation-messages.js';
import { answerActions } from '../../invitations/invitation-message.js';
import { activityAnswers } from '../../invitations/answer-counts.js';
import { answersPageUrl } from '../../invitations/answers-page-links.js';
import type { Message, MessageItem } from '../../ports/channel.port.js';
import type { CommandContext } from './context.js';
import { changeSeats, newActivityForm } from './activity-admin.js';
import { fold } from '../parse-command.js';

/** `warsztaty`: my open invitations with answer buttons; RCPS sees the answers per activity, by team and institution. */
export async function workshopsCommand(ctx: CommandContext): Promise<Message> {
  const [word, ...args] = ctx.text.split(/\s+/).filter(Boolean);
  const verb = fold(word ?? '');
  if (verb === 'nowe' || verb === 'new') return newActivityForm(ctx);
  if (verb === 'miejsca' || verb === 'seats') return changeSeats(ctx, args);
  return ctx.person.staff_role ? staffView(ctx) : memberView(ctx);
}

async function memberView(ctx: CommandContext): Promise<Message> {
  const language = ctx.person.language;
  const t = workshopViewMessages[language];
  const items = await openInvitationItems(ctx);
  if (items.length === 0) return { language, title: t.title, text: t.none };
  return { language, title: t.title, text: t.summary, items };
}

/** My invitations to activities still ahead: title, date, place, my answer, and the answer buttons. Also on the App Home. */
export async function openInvitationItems({ db, clock, person }: Pick<CommandContext, 'db' | 'clock' | 'person'>): Promise<MessageItem[]> {
  const language = person.language;
  const t = workshopViewMessages[language];
  const rows = await db
    .selectFrom('invitations')
    .innerJoin('activities', 'activities.id', 'invitations.activity_id')
    .leftJoin('rsvps', (j) => j.onRef('rsvps.activity_id', '=', 'invitations.activity_id').onRef('rsvps.person_id', '=', 'invitations.person_id'))
    .select(['activities.id', 'activities.title', 'activities.starts_local', 'activities.timezone', 'activities.location', 'rsvps.answer', 'invitations.offer_expires_at', 'invitations.offer_lapsed_at'])
    .where('invitations.person_id', '=', person.id)
    .where('activities.cancelled_at', 'is', null)
    .where('activities.starts_at', '>', clock.now())
    .orderBy('activities.starts_at')
    .limit(20)
    .execute();
  const answers = invitationMessages[language].answerNames;
  return rows.map((r) => ({
    title: r.title,
    lines: [
      formatDateTime(zoned(r.starts_local, r.timezone), language),
      ...(r.location ? [r.location] : []),
      r.offer_expires_at
        ? t.offered(formatDateTime(DateTime.fromJSDate(r.offer_expires_at, { zone: r.timezone }), language))
        : r.offer_lapsed_at && r.answer === 'waiting'
          ? t.offerLapsed
          : r.answer
            ? answers[r.answer]!
            : t.noAnswer,
    ],
    actions: answerActions(language, r.id),
  }));
}

/** Counts in the chat; the whole, however long, on the person's own signed page (`fullView`). */
async function staffView({ db, clock, person, publicUrl, appSecret }: CommandContext): Promise<Message> {
  const language = person.language;
  const t = workshopViewMessages[language];
  const activities = await activityAnswers(db, clock.now());
  if (activities.length === 0) return { language, title: t.staffTitle, text: t.none };
  const items: MessageItem[] = activities.map((a) => ({
    title: a.title,
    lines: [
      t.counts(a.all),
      `**${t.byTeam}**`,
      ...[...a.teams].map(([name, c]) => `- ${name}: ${t.counts(c)}`),
      `**${t.byInstitution}**`,
      ...[...a.institutions].map(([name, c]) => `- ${name}: ${t.counts(c)}`),
    ],
  }));
  return { language, title: t.staffTitle, text: t.staffSummary, items, ...(appSecret ? { fullView: answersPageUrl(publicUrl, appSecret, person.id, clock.now()) } : {}) };
}
