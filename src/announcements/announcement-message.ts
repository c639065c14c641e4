import type { Kysely } from 'kysely';
import type { Database, DeliveryRow } from '../db/tables.js';
import { announcementMessages } from '../i18n/announcement-messages.js';
import { channelName, deliveryReason } from '../i18n/delivery-reasons.js';
import { personNameFor } from '../i18n/erased-person.js';
import { num } from '../i18n/icu.js';
import type { Language } from '../i18n/messages.js';
import type { Message } from '../ports/channel.port.js';
import { teamNames } from './announce.js';

/** The announcement as its author wrote it (light Markdown; each channel renders or escapes it). */
export async function renderAnnouncement(db: Kysely<Database>, row: DeliveryRow, language: Language): Promise<Message | undefined> {
  const id = Number((row.payload as { id: string }).id);
  const a = await db
    .selectFrom('announcements')
    .innerJoin('people', 'people.id', 'announcements.author_id')
    .select(['announcements.text', 'announcements.team_ids', 'announcements.state', 'people.name'])
    .where('announcements.id', '=', id)
    .executeTakeFirst();
  if (!a || a.state !== 'sent') return undefined;
  const t = announcementMessages[language];
  return { language, title: t.title(a.name, await teamNames(db, a.team_ids as string[])), text: a.text };
}

/**
 * The author's delivery report: how many people it reached, by channel, who not and why,
 * counted from the outbox rows of this announcement when the report is sent.
 */
export async function renderAnnouncementReport(db: Kysely<Database>, row: DeliveryRow, language: Language): Promise<Message | undefined> {
  const id = (row.payload as { id: string }).id;
  const rows = await db
    .selectFrom('deliveries')
    .leftJoin('people', 'people.id', 'deliveries.person_id')
    .select(['deliveries.state', 'deliveries.sent_channel', 'deliveries.last_error', 'deliveries.place_address', 'people.name', 'people.email'])
    .where('deliveries.kind', '=', 'announcement')
    .where('deliveries.dedupe_key', 'like', `announcement:${id}:%`)
    .orderBy('people.name')
    .execute();
  const t = announcementMessages[language];
  const people = rows.filter((r) => !r.place_address);
  const reached = people.filter((r) => r.state === 'sent');
  const byChannel = new Map<string, number>();
  for (const r of rows.filter((r) => r.state === 'sent')) {
    const key = r.place_address ? `${t.placeLabel} (${channelName(r.sent_channel ?? '?', language)})` : channelName(r.sent_channel ?? '?', language);
    byChannel.set(key, (byChannel.get(key) ?? 0) + 1);
  }
  const pending = people.filter((r) => r.state === 'pending' || r.state === 'sending').length;
  const failed = rows.filter((r) => r.state === 'failed' || r.state === 'cancelled' || r.state === 'expired');
  return {
    language,
    title: t.reportTitle,
    text: t.reportText(reached.length, people.length),
    fields: [
      { label: t.byChannelLabel, value: [...byChannel].map(([channel, n]) => `${channel}: ${num(language, n)}`).join(', ') || '—' },
      ...(pending ? [{ label: t.pendingLabel, value: num(language, pending) }] : []),
    ],
    ...(failed.length
      ? { items: [{ title: t.failedLabel, lines: failed.map((f) => `${personNameFor(f, language) ?? f.place_address}: ${deliveryReason(f.last_error, language, f.state)}`) }] }
      : {}),
  };
}
