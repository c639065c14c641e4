import type { Incoming, PlaceLink, Sender } from '../../src/ports/channel.port.js';

/**
 * The few activity fields we read, typed loosely on purpose: the Bot Framework schema and the
 * Microsoft 365 Agents SDK's both fit, so these functions move with no change.
 */
export interface ActivityLike {
  id?: string;
  type?: string;
  text?: string;
  value?: unknown;
  serviceUrl?: string;
  channelId?: string;
  locale?: string;
  from?: { id?: string; aadObjectId?: string; name?: string };
  recipient?: { id?: string; name?: string };
  conversation?: { id?: string; conversationType?: string; tenantId?: string; isGroup?: boolean };
  entities?: { type?: string; mentioned?: { id?: string }; text?: string }[];
  membersAdded?: { id?: string }[];
  channelData?: { team?: { id?: string }; channel?: { id?: string }; tenant?: { id?: string }; eventType?: string };
}

/** A 1:1 chat with the bot; in team channels and group chats replies are seen by everyone. */
export function isPersonal(activity: ActivityLike): boolean {
  const type = activity.conversation?.conversationType;
  return activity.conversation?.isGroup !== true && type !== 'channel' && type !== 'groupChat';
}

/**
 * How to reach this person later: the conversation reference, trimmed to what
 * continueConversationAsync needs. No activity id or display name, so the address stays the
 * same from one message to the next and the core does not rewrite it on every turn.
 */
export function addressOf(activity: ActivityLike): string {
  const { serviceUrl, channelId, conversation, recipient, from } = activity;
  return JSON.stringify({
    channelId,
    serviceUrl,
    conversation: { id: conversation?.id, conversationType: conversation?.conversationType, tenantId: conversation?.tenantId },
    bot: { id: recipient?.id, name: recipient?.name },
    user: { id: from?.id, aadObjectId: from?.aadObjectId },
  });
}

/**
 * The person as the core sees them. Only a personal chat gives an address: a channel's
 * reference would send reminders meant for one person to the whole channel, and the core
 * would store the external id as the address if we gave that without one. So in channels and
 * group chats people are recognised by e-mail alone and nothing is linked.
 */
export function senderOf(activity: ActivityLike, email: string | undefined): Sender {
  const externalId = activity.from?.aadObjectId ?? activity.from?.id;
  const link = isPersonal(activity) && externalId ? { externalId, address: addressOf(activity) } : {};
  return { channel: 'teams', ...link, ...(email ? { email } : {}) };
}

/** The text without the bot's @mention (channels) and without Teams' markup. */
export function commandText(activity: ActivityLike): string {
  let text = activity.text ?? '';
  for (const entity of activity.entities ?? []) {
    if (entity.type === 'mention' && entity.mentioned?.id === activity.recipient?.id && entity.text) text = text.split(entity.text).join(' ');
  }
  return text
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

const asString = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;

/**
 * A message activity as the core's Incoming: an Adaptive Card Submit (value with formId or
 * actionId, see render-card.ts) or a command typed as text. An empty message asks for help.
 */
export function incomingOf(activity: ActivityLike, from: Sender): Incoming {
  const value = activity.value;
  if (value && typeof value === 'object' && !Array.isArray(value) && !commandText(activity)) {
    const data = value as Record<string, unknown>;
    const formId = asString(data.formId);
    if (formId) {
      const values: Record<string, string> = {};
      for (const [key, v] of Object.entries(data)) {
        const text = asString(v);
        if (key !== 'formId' && key !== 'msteams' && text !== undefined) values[key] = text;
      }
      return { type: 'form', from, formId, values };
    }
    const actionId = asString(data.actionId);
    if (actionId) return { type: 'action', from, actionId, value: asString(data.value) ?? '' };
  }
  const [command = 'pomoc', ...rest] = commandText(activity).split(' ').filter(Boolean);
  return { type: 'command', from, command, text: rest.join(' ') };
}

/** True when a conversationUpdate says the bot itself was added (an install). */
export function botWasAdded(activity: ActivityLike): boolean {
  const botId = activity.recipient?.id;
  return Boolean(botId && activity.membersAdded?.some((m) => m.id === botId));
}

/**
 * A conversation reference that starts a new post in a Teams channel. A team's id is also its
 * General channel's id. The serviceUrl and tenant are the team's, so any activity from the team
 * will do (https://learn.microsoft.com/microsoftteams/platform/bots/how-to/conversations/send-proactive-messages).
 */
export function channelAddress(activity: ActivityLike, channelId: string): string {
  return JSON.stringify({
    channelId: activity.channelId,
    serviceUrl: activity.serviceUrl,
    conversation: { id: channelId, conversationType: 'channel', isGroup: true, tenantId: activity.channelData?.tenant?.id ?? activity.conversation?.tenantId },
    bot: { id: activity.recipient?.id, name: activity.recipient?.name },
  });
}

/**
 * The Teams places an activity from a team shows (the team, its channel, and `listed` channel ids
 * of that team), each with how to post there; none outside a team. A deleted channel is not kept.
 */
export function placesOf(activity: ActivityLike, listed: string[] = []): PlaceLink[] {
  const data = activity.channelData;
  if (!data?.team?.id || !activity.serviceUrl) return [];
  const channel = data.eventType === 'channelDeleted' ? undefined : data.channel?.id;
  const ids = new Set([data.team.id, channel, ...listed].filter((id): id is string => Boolean(id)));
  return [...ids].map((id) => ({ channel: 'teams', externalId: id, address: channelAddress(activity, id) }));
}
