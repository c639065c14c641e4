import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/tables.js';
import { signLink } from '../security/signed-links.js';
import { personalPageUrl, personalPageUrls } from '../me/me-link.js';
import type { RenderBatch } from '../delivery/batch-context.js';
import { mutableKindOf, type MutableKind } from './preferences.js';

/** One-click unsubscribe must still work from an old mail, and it can only ever mute one kind. */
export const UNSUBSCRIBE_LINK_DAYS = 365;

const DAY_MS = 24 * 3600_000;
/** How long a page link looked up for a mail is used for the next mails to the same person. */
const PAGE_CACHE_MS = 60_000;
const base = (publicUrl: string) => publicUrl.replace(/\/+$/, '');

/** The preferences link of a mail is the person's own page. */
export const preferencesUrl = (db: Kysely<Database>, publicUrl: string, secret: string, personId: number, now: Date): Promise<string> =>
  personalPageUrl(db, base(publicUrl), secret, personId, now);

/** `${publicUrl}/unsubscribe/{token}`: RFC 8058 one-click unsubscribe from one kind of message. */
export function unsubscribeUrl(publicUrl: string, secret: string, personId: number, kind: MutableKind, now: Date): string {
  const token = signLink(secret, { purpose: 'unsubscribe', subject: String(personId), expiresAt: new Date(now.getTime() + UNSUBSCRIBE_LINK_DAYS * DAY_MS), kind });
  return `${base(publicUrl)}/unsubscribe/${token}`;
}

/**
 * What every e-mail to a person carries: the preferences link, and a one-click unsubscribe
 * for the kind of message it is (none for messages nobody may mute, such as answers to reports).
 */
export function emailLinks(db: Kysely<Database>, publicUrl: string, secret: string, clock: Clock) {
  // A person's page link is looked up (or made) once a minute at most: a batch of 5,000 mails
  // costs a query per person, not per mail. Links ended meanwhile stay dead; the page says so.
  const pages = new Map<number, { url: Promise<string>; until: number }>();
  const pageOf = (personId: number, now: Date) => {
    let page = pages.get(personId);
    if (!page || page.until <= now.getTime()) {
      if (pages.size >= 10_000) pages.clear();
      page = { url: preferencesUrl(db, publicUrl, secret, personId, now), until: now.getTime() + PAGE_CACHE_MS };
      pages.set(personId, page);
      page.url.catch(() => pages.delete(personId));
    }
    return page.url;
  };
  // A dispatcher's batch asks for the page links of all its e-mail recipients in one query, and
  // makes the missing ones in one insert (issue 17: a query per mail, then a query and an insert
  // per person without a link, were the most frequent statements of the national week), and puts
  // them in the same one-minute cache. Should that fail, each mail asks pageOf for its own. A
  // paced batch sends for minutes: each minute of it looks its recipients' links up again, in
  // one query (a link ended meanwhile would otherwise go out in the batch's later mails). Not
  // each mail alone: on the national week's compressed clock a batch lasts minutes, and a query
  // per mail after its first minute was the week's most frequent statement (41,000).
  const batchPages = (batch: RenderBatch, now: Date) =>
    batch.once(`email-page-links@${Math.floor(now.getTime() / PAGE_CACHE_MS)}`, async (rows) => {
      const ids = [...new Set(rows.filter((r) => r.person_id !== null && (r.channels as string[])[r.channel_index] === 'email').map((r) => r.person_id!))];
      const urls = await personalPageUrls(db, publicUrl, secret, ids, now);
      const until = now.getTime() + PAGE_CACHE_MS;
      for (const [personId, url] of urls) {
        if (pages.size >= 10_000) pages.clear();
        pages.set(personId, { url: Promise.resolve(url), until });
      }
    });
  return async (personId: number, deliveryKind: string, batch?: RenderBatch): Promise<{ preferencesUrl: string; unsubscribeUrl?: string }> => {
    const now = clock.now();
    const kind = mutableKindOf(deliveryKind);
    // A failed batch lookup is not each mail's failure (the dispatcher fails a row that throws for
    // good): every row then looks its own link up, as before the batch lookup.
    if (batch) await batchPages(batch, now).catch(() => undefined);
    return {
      preferencesUrl: await pageOf(personId, now),
      ...(kind ? { unsubscribeUrl: unsubscribeUrl(publicUrl, secret, personId, kind, now) } : {}),
    };
  };
}
