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

export interface DeliveryReport {
  reached: number;
  /** People the announcement went to (team channels are counted apart). */
  total: number;
  byChannel: [channel: string, count: number][];
  pending: number;
  /** Everyone and every team channel not reached, with the reason in the reader's language. */
  failed: { who: string; reason: string }[];
}

/** How many people an announcement reached, by channel, who not and why: from its outbox rows now. */
export async function deliveryReport(db: Kysely<Database>, id: number, language: Language): Promise<DeliveryReport> {
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
  const byChannel = new Map<string, number>();
  for (const r of rows.filter((r) => r.state === 'sent')) {
    const key = r.place_address ? `${t.placeLabel} (${channelName(r.sent_channel ?? '?', language)})` : channelName(r.sent_channel ?? '?', language);
    byChannel.set(key, (byChannel.get(key) ?? 0) + 1);
  }
  return {
    reached: people.filter((r) => r.state === 'sent').length,
    total: people.length,
    byChannel: [...byChannel],
    pending: people.filter((r) => r.state === 'pending').length,
    failed: rows
      .filter((r) => r.state === 'failed' || r.state === 'cancelled' || r.state === 'expired')
      .map((f) => ({ who: personNameFor(f, language) ?? f.place_address ?? '—', reason: deliveryReason(f.last_error, language, f.state) })),
  };
}

/**
 * The author's delivery report: how many people it reached, by channel, who not and why,
 * counted from the outbox rows of this announcement when the report is sent. The whole list
 * is also on the author's signed page (`reportUrl`), where a platform must shorten it.
 */
export async function renderAnnouncementReport(db: Kysely<Database>, row: DeliveryRow, language: Language, reportUrl?: (authorId: number, id: number) => string): Promise<Message | undefined> {
  const id = Number((row.payload as { id: string }).id);
  const r = await deliveryReport(db, id, language);
  const t = announcementMessages[language];
  return {
    language,
    title: t.reportTitle,
    text: t.reportText(r.reached, r.total),
    fields: [
      { label: t.byChannelLabel, value: r.byChannel.map(([channel, n]) => `${channel}: ${num(language, n)}`).join(', ') || '—' },
      ...(r.pending ? [{ label: t.pendingLabel, value: num(language, r.pending) }] : []),
    ],
    ...(r.failed.length ? { items: [{ title: t.failedLabel, lines: r.failed.map((f) => `${f.who}: ${f.reason}`) }] } : {}),
    ...(reportUrl && row.person_id !== null && Number.isSafeInteger(id) ? { fullView: reportUrl(row.person_id, id) } : {}),
  };
}
