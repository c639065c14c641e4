import type { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import type { Database } from '../../db/tables.js';
import { zoned } from '../../domain/local-time.js';
import { formatDateTime } from '../../i18n/format.js';
import { invitationMessages, workshopViewMessages } from '../../i18n/invitation-messages.js';
import { answerActions } from '../../invitations/invitation-message.js';
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

const EMPTY = () => ({ invited: 0, accepted: 0, declined: 0, maybe: 0, waiting: 0, lapsed: 0, none: 0 });

async function staffView({ db, clock, person }: CommandContext): Promise<Message> {
  const language = person.language;
  const t = workshopViewMessages[language];
  const rows = await answersByPerson(db, clock.now());
  if (rows.length === 0) return { language, title: t.staffTitle, text: t.none };
  const byActivity = new Map<string, { title: string; all: ReturnType<typeof EMPTY>; teams: Map<string, ReturnType<typeof EMPTY>>; institutions: Map<string, ReturnType<typeof EMPTY>> }>();
  for (const r of rows) {
    const entry = byActivity.get(r.activity_id) ?? { title: r.title, all: EMPTY(), teams: new Map(), institutions: new Map() };
    byActivity.set(r.activity_id, entry);
    // Off the list after an unanswered offer: counted apart, their answer stays what they said.
    const key = (r.answer === 'waiting' && r.offer_lapsed_at ? 'lapsed' : (r.answer ?? 'none')) as keyof ReturnType<typeof EMPTY>;
    for (const bucket of [entry.all, get(entry.teams, r.team_name ?? '—'), get(entry.institutions, r.institution ?? '—')]) {
      bucket.invited++;
      bucket[key]++;
    }
  }
  const items: MessageItem[] = [...byActivity.values()].map((a) => ({
    title: a.title,
    lines: [
      t.counts(a.all),
      `**${t.byTeam}**`,
      ...[...a.teams].map(([name, c]) => `- ${name}: ${t.counts(c)}`),
      `**${t.byInstitution}**`,
      ...[...a.institutions].map(([name, c]) => `- ${name}: ${t.counts(c)}`),
    ],
  }));
  return { language, title: t.staffTitle, text: t.staffSummary, items };
}

function get<T>(map: Map<string, T>, key: string): T {
  if (!map.has(key)) map.set(key, EMPTY() as T);
  return map.get(key)!;
}

/** One row per invited person of each upcoming activity, with their answer, first team and institution. */
export async function answersByPerson(db: Kysely<Database>, after: Date) {
  return db
    .selectFrom('invitations')
    .innerJoin('activities', 'activities.id', 'invitations.activity_id')
    .innerJoin('people', 'people.id', 'invitations.person_id')
    .leftJoin('rsvps', (j) => j.onRef('rsvps.activity_id', '=', 'invitations.activity_id').onRef('rsvps.person_id', '=', 'invitations.person_id'))
    .select((eb) => [
      'activities.id as activity_id',
      'activities.title',
      'people.institution',
      'rsvps.answer',
      'invitations.offer_lapsed_at',
      eb
        .selectFrom('memberships')
        .innerJoin('teams', 'teams.id', 'memberships.team_id')
        .select((e) => e.fn.min('teams.name').as('n'))
        .whereRef('memberships.person_id', '=', 'people.id')
        .where('memberships.removed_at', 'is', null)
        .as('team_name'),
    ])
    .where('activities.starts_at', '>', after)
    .where('activities.cancelled_at', 'is', null)
    .orderBy('activities.starts_at')
    .orderBy('people.institution')
    .execute();
}
