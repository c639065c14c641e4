import type { Kysely } from 'kysely';
import type { Database, DeliveryRow, PersonRow } from '../db/tables.js';
import { enqueue } from '../delivery/outbox.js';
import { formatDateTime } from '../i18n/format.js';
import { confirmationMessages } from '../i18n/confirmation-messages.js';
import type { Language } from '../i18n/messages.js';
import type { ChannelKind, Message } from '../ports/channel.port.js';
import { DateTime } from 'luxon';
import { issueLink, tokenOfLink } from './personal-links.js';

export type ConfirmedAction = 'erase' | 'feed';
export const CONFIRMATION_PURPOSE = { erase: 'confirm_erase', feed: 'confirm_feed' } as const;

/** What a confirmation row carries: the link (rendered from its nonce when sent) and whom it is for. */
export interface ConfirmationRef {
  [key: string]: string;
  type: 'personal_link';
  linkId: string;
  personId: string;
}

/**
 * Erasure and a new feed link are asked for on the personal page, whose link may have been
 * forwarded; they are done only from a link sent at that moment to the person's own channels.
 * The link and its message are written in one transaction.
 */
export async function askConfirmation(db: Kysely<Database>, secret: string, person: PersonRow, action: ConfirmedAction, now: Date): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const link = await issueLink(trx, secret, person.id, CONFIRMATION_PURPOSE[action], now);
    const ref: ConfirmationRef = { type: 'personal_link', linkId: String(link.id), personId: String(person.id) };
    await enqueue(trx, [
      {
        key: `confirm:${link.id}`,
        kind: 'confirmation',
        personId: person.id,
        channels: person.channels as ChannelKind[],
        payload: ref,
        dueAt: now,
        expiresAt: new Date(now.getTime() + 3600_000),
      },
    ]);
  });
}

/** The confirmation message, while its link still works and only to the person it is for. */
export async function renderConfirmation(db: Kysely<Database>, row: DeliveryRow, language: Language, publicUrl: string, secret: string | undefined): Promise<Message | undefined> {
  const ref = row.payload as ConfirmationRef;
  const link = secret ? await tokenOfLink(db, secret, Number(ref.linkId)) : undefined;
  if (!link || link.personId !== row.person_id || !link.live(row.claimed_at ?? row.due_at)) return undefined;
  const t = confirmationMessages[language];
  const action: ConfirmedAction = link.purpose === 'confirm_erase' ? 'erase' : 'feed';
  const until = formatDateTime(DateTime.fromJSDate(link.expiresAt, { zone: 'Europe/Warsaw' }), language);
  return {
    language,
    title: t.title(action),
    text: t.text(action, until),
    links: [{ label: t.button(action), url: `${publicUrl.replace(/\/+$/, '')}/me/confirm/${link.token}` }],
  };
}
