import type { Kysely } from 'kysely';
import type { ActivityRow, Database, DeliveryRow, PersonRow } from '../db/tables.js';
import { zoned } from '../domain/local-time.js';
import { activityEvent } from '../feeds/calendar-events.js';
import { formatDateTime } from '../i18n/format.js';
import { invitationMessages } from '../i18n/invitation-messages.js';
import { messages, type Language } from '../i18n/messages.js';
import type { CalendarRenderer } from '../ports/calendar.port.js';
import type { Action, ChannelKind, LinkAction, Message } from '../ports/channel.port.js';
import { signLink } from '../security/signed-links.js';
import type { Answer } from './rsvp.js';
import { inHowLong } from '../reminders/reminder-message.js';

/** What rendering invitations needs beyond the database: link signing, iTIP writing, the organiser. */
export interface InvitationDeps {
  appSecret: string;
  calendar: CalendarRenderer;
  /** ORGANIZER of every invitation: MAIL_FROM, RCPS's mailbox. */
  organizer: { name: string; email: string };
}

/** `"Kooperator RCPS" <kooperator@example.org>` → name and address. */
export function parseMailbox(from: string): { name: string; email: string } {
  const match = /^\s*"?([^"<]*?)"?\s*<([^>]+)>\s*$/.exec(from);
  return match ? { name: match[1]!.trim() || match[2]!, email: match[2]!.trim() } : { name: 'RCPS', email: from.trim() };
}

const PARTSTAT = { accepted: 'ACCEPTED', declined: 'DECLINED', maybe: 'TENTATIVE', waiting: 'NEEDS-ACTION' } as const;

export function rsvpUrl(publicUrl: string, secret: string, activity: ActivityRow, personId: number, answer: Answer): string {
  const token = signLink(secret, { purpose: 'rsvp', subject: String(personId), expiresAt: activity.ends_at, activity: activity.id, answer });
  return `${publicUrl}/rsvp/${token}`;
}

export function answerActions(language: Language, activityId: string): Action[] {
  const t = invitationMessages[language];
  return [
    { id: 'rsvp:accept', value: activityId, label: t.acceptLabel, style: 'primary' },
    { id: 'rsvp:maybe', value: activityId, label: t.maybeLabel },
    { id: 'rsvp:decline', value: activityId, label: t.declineLabel, style: 'danger' },
  ];
}

export function activityFields(activity: ActivityRow, language: Language): { label: string; value: string }[] {
  const t = invitationMessages[language];
  const start = zoned(activity.starts_local, activity.timezone);
  const end = zoned(activity.ends_local, activity.timezone);
  return [
    { label: t.whenLabel, value: `${formatDateTime(start, language)} – ${formatDateTime(end, language)}` },
    ...(activity.location ? [{ label: t.whereLabel, value: activity.location }] : []),
    ...(activity.online_url ? [{ label: t.onlineLabel, value: activity.online_url }] : []),
    ...(activity.capacity !== null ? [{ label: t.seatsLabel, value: String(activity.capacity) }] : []),
    ...(activity.rsvp_by ? [{ label: t.rsvpByLabel, value: formatDateTime(zoned(`${activity.rsvp_by}T23:59`, activity.timezone), language) }] : []),
  ];
}

/**
 * An invitation, its update or its cancellation, or a freed seat's offer, as things stand when
 * it is sent: chat gets answer buttons, e-mail gets the iTIP calendar and signed answer links.
 * A chat update names the message it replaces, so the adapter can also update that in place.
 */
export async function renderInvitation(
  db: Kysely<Database>,
  row: DeliveryRow,
  language: Language,
  publicUrl: string,
  deps: InvitationDeps,
): Promise<Message | undefined> {
  const ref = row.payload as { type: string; activityId: string; personId: string; update?: string; until?: string; offset?: string; startsAt?: string };
  const activity = await db.selectFrom('activities').selectAll().where('id', '=', ref.activityId).executeTakeFirst();
  const person = await db.selectFrom('people').selectAll().where('id', '=', Number(ref.personId)).executeTakeFirst();
  if (!activity || !person) return undefined;
  const rsvp = await db.selectFrom('rsvps').select('answer').where('activity_id', '=', activity.id).where('person_id', '=', person.id).executeTakeFirst();
  const channel = (row.channels as ChannelKind[])[row.channel_index];
  const t = invitationMessages[language];
  const cancelled = !!activity.cancelled_at;
  const when = formatDateTime(zoned(activity.starts_local, activity.timezone), language);

  let title: string;
  let text: string;
  if (ref.type === 'activity_reminder') {
    // Only for someone still coming, to the activity as planned when the reminder was.
    if (cancelled || rsvp?.answer !== 'accepted' || activity.starts_at.toISOString() !== ref.startsAt) return undefined;
    title = t.reminderTitle(activity.title, inHowLong(ref.offset!, language));
    text = t.reminderText(activity.title, when);
    return { language, title, text, fields: activityFields(activity, language) };
  }
  if (ref.type === 'rsvp_deadline') {
    if (cancelled || rsvp) return undefined;
    title = t.deadlineTitle(activity.title);
    text = t.deadlineText(activity.title, formatDateTime(zoned(`${activity.rsvp_by}T23:59`, activity.timezone), language));
  } else if (ref.type === 'rsvp_offer') {
    if (cancelled || rsvp?.answer !== 'waiting') return undefined;
    const until = formatDateTime(zoned(new Date(ref.until!).toISOString(), 'UTC').setZone(activity.timezone), language);
    title = t.offerTitle(activity.title);
    text = t.offerText(activity.title, until);
  } else if (cancelled) {
    title = t.cancelTitle(activity.title);
    text = t.cancelText(activity.title, when);
  } else if (ref.update === '1') {
    title = t.updateTitle(activity.title);
    text = t.updateText(activity.title);
  } else {
    title = t.inviteTitle(activity.title);
    text = t.inviteText(messages[language].kind(activity.kind), activity.title);
  }
  const fields = [
    ...activityFields(activity, language),
    ...(rsvp && !cancelled ? [{ label: t.yourAnswerLabel, value: t.answerNames[rsvp.answer]! }] : []),
  ];
  const message: Message = { language, title, text, fields };
  if (channel === 'email') {
    if (!cancelled) message.links = rsvpLinks(publicUrl, deps.appSecret, activity, person.id, language);
    if (ref.type === 'invitation') message.calendar = itip(activity, person, rsvp?.answer, language, deps);
  } else if (!cancelled) {
    message.actions = answerActions(language, activity.id);
  }
  if (channel && channel !== 'email' && (ref.update === '1' || ref.type === 'rsvp_offer')) {
    const replaces = await previousChatMessage(db, activity.id, person.id, channel, row.id);
    if (replaces) message.replaces = replaces;
  }
  return message;
}

export function rsvpLinks(publicUrl: string, secret: string, activity: ActivityRow, personId: number, language: Language): LinkAction[] {
  const t = invitationMessages[language];
  return [
    { label: t.acceptLabel, url: rsvpUrl(publicUrl, secret, activity, personId, 'accepted') },
    { label: t.maybeLabel, url: rsvpUrl(publicUrl, secret, activity, personId, 'maybe') },
    { label: t.declineLabel, url: rsvpUrl(publicUrl, secret, activity, personId, 'declined') },
  ];
}

/** METHOD:REQUEST (or CANCEL) for one attendee, with the feed's UID and the current SEQUENCE. */
function itip(activity: ActivityRow, person: PersonRow, answer: string | undefined, language: Language, deps: InvitationDeps): Message['calendar'] {
  const method = activity.cancelled_at ? 'CANCEL' : 'REQUEST';
  const event = {
    ...activityEvent(activity, language),
    organizer: deps.organizer,
    attendees: [{ name: person.name, email: person.email, partstat: answer ? PARTSTAT[answer as keyof typeof PARTSTAT] : ('NEEDS-ACTION' as const), rsvp: true }],
  };
  return { method, content: deps.calendar.render({ name: activity.title, refreshInterval: 'PT1H', method, events: [event] }) };
}

/** The last invitation message sent to this person in this chat, to update in place (Slack channel+ts, Teams activity id). */
async function previousChatMessage(db: Kysely<Database>, activityId: string, personId: number, channel: ChannelKind, currentId: number): Promise<string | undefined> {
  const row = await db
    .selectFrom('deliveries')
    .select('provider_id')
    .where('person_id', '=', personId)
    .where('kind', '=', 'invitation')
    .where('dedupe_key', 'like', `invite:${activityId}:${personId}:%`)
    .where('state', '=', 'sent')
    .where('sent_channel', '=', channel)
    .where('provider_id', 'is not', null)
    .where('id', '!=', currentId)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.provider_id ?? undefined;
}
