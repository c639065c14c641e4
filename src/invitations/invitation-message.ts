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
import { inHowLongUntil } from '../reminders/reminder-message.js';
import type { RenderBatch } from '../delivery/batch-context.js';
import { invitationBatchOf } from './invitation-batch.js';
import { fittingReplyAddress } from '../inbound/reply-address.js';

/** What rendering invitations needs beyond the database: link signing, iTIP writing, the organiser. */
export interface InvitationDeps {
  appSecret: string;
  calendar: CalendarRenderer;
  /**
   * ORGANIZER of every invitation: RCPS's display name, on MAIL_FROM's mailbox. Each person's
   * copies name the signed reply address (src/inbound/reply-address.ts) of their first invitation
   * delivery to the activity (the same for its updates: calendars expect one organiser), so the
   * iTIP REPLY a calendar sends comes back bound to the person and the activity.
   */
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
 * What it reads comes from the batch's one load (invitation-batch.ts), not from queries per row.
 */
export async function renderInvitation(
  db: Kysely<Database>,
  row: DeliveryRow,
  language: Language,
  publicUrl: string,
  deps: InvitationDeps,
  batch: RenderBatch,
): Promise<Message | undefined> {
  const ref = row.payload as { type: string; activityId: string; personId: string; update?: string; until?: string; offset?: string; startsAt?: string };
  const loaded = await invitationBatchOf(db, batch);
  const activity = loaded.activities.get(ref.activityId);
  const person = loaded.people.get(Number(ref.personId));
  if (!activity || !person) return undefined;
  const answer = loaded.answers.get(`${activity.id}:${person.id}`);
  const rsvp = answer ? { answer } : undefined;
  const channel = (row.channels as ChannelKind[])[row.channel_index];
  const t = invitationMessages[language];
  const cancelled = !!activity.cancelled_at;
  const when = formatDateTime(zoned(activity.starts_local, activity.timezone), language);

  let title: string;
  let text: string;
  if (ref.type === 'activity_reminder') {
    // Only for someone still coming, to the activity as planned when the reminder was.
    if (cancelled || rsvp?.answer !== 'accepted' || activity.starts_at.toISOString() !== ref.startsAt) return undefined;
    // How long from when it is sent, as a meeting's (inHowLongUntil): one held by quiet hours into
    // the activity's own day must not say "jutro"; calendar days in the activity's zone.
    title = t.reminderTitle(activity.title, inHowLongUntil(zoned(activity.starts_local, activity.timezone), row.claimed_at ?? row.due_at, language));
    text = t.reminderText(activity.title, when);
    return { language, title, text, fields: activityFields(activity, language) };
  }
  if (ref.type === 'rsvp_deadline') {
    if (cancelled || rsvp) return undefined;
    title = t.deadlineTitle(activity.title);
    text = t.deadlineText(activity.title, formatDateTime(zoned(`${activity.rsvp_by}T23:59`, activity.timezone), language));
  } else if (ref.type === 'rsvp_offer') {
    // Only the offer that still stands: one given up, lapsed or made again says nothing of this `until`.
    const standing = loaded.offers.get(`${activity.id}:${person.id}`);
    const stands = !!standing && standing.getTime() === new Date(ref.until!).getTime() && (!row.claimed_at || standing > row.claimed_at);
    if (cancelled || rsvp?.answer !== 'waiting' || !stands) return undefined;
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
  // What the activity is about, as RCPS wrote it: with the invitation, its updates and a seat offer.
  if (activity.description?.trim() && (ref.type === 'invitation' || ref.type === 'rsvp_offer') && !cancelled) text = `${text}\n\n${activity.description.trim()}`;
  const fields = [
    ...activityFields(activity, language),
    ...(rsvp && !cancelled ? [{ label: t.yourAnswerLabel, value: t.answerNames[rsvp.answer]! }] : []),
  ];
  const message: Message = { language, title, text, fields };
  if (channel === 'email') {
    if (!cancelled) message.links = rsvpLinks(publicUrl, deps.appSecret, activity, person.id, language);
    // One organiser throughout: the first invitation's address (an update's own row only when that one is gone).
    if (ref.type === 'invitation') message.calendar = itip(activity, person, rsvp?.answer, language, deps, loaded.firstInvitation.get(`${activity.id}:${person.id}`) ?? row.id);
  } else if (!cancelled) {
    message.actions = answerActions(language, activity.id);
  }
  if (channel && channel !== 'email' && (ref.update === '1' || ref.type === 'rsvp_offer')) {
    const replaces = loaded.previous.get(`${activity.id}:${person.id}:${channel}`);
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
function itip(activity: ActivityRow, person: PersonRow, answer: string | undefined, language: Language, deps: InvitationDeps, deliveryId: number): Message['calendar'] {
  const method = activity.cancelled_at ? 'CANCEL' : 'REQUEST';
  // A MAIL_FROM too long for a signed address (fittingReplyAddress): the plain one, as Reply-To then is.
  const organizer = { name: deps.organizer.name, email: fittingReplyAddress(deps.appSecret, deps.organizer.email, { deliveryId, personId: person.id }) ?? deps.organizer.email };
  const event = {
    ...activityEvent(activity, language),
    organizer,
    attendees: [{ name: person.name, email: person.email, partstat: answer ? PARTSTAT[answer as keyof typeof PARTSTAT] : ('NEEDS-ACTION' as const), rsvp: true }],
  };
  return { method, content: deps.calendar.render({ name: activity.title, refreshInterval: 'PT1H', method, events: [event] }) };
}
