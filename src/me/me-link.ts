import type { Kysely } from 'kysely';
import type { Database } from '../db/tables.js';
import { signLink, verifyLink } from '../security/signed-links.js';
import { tokenFor } from '../feeds/feed-tokens.js';

/** How long a personal-page link works; chat gives a new one whenever asked. */
export const ME_LINK_DAYS = 30;

/** The signed address of a person's own page (purpose 'me'; the subject is the person id). */
export function personalPageUrl(publicUrl: string, secret: string, personId: number, now: Date): string {
  const token = signLink(secret, { purpose: 'me', subject: String(personId), expiresAt: new Date(now.getTime() + ME_LINK_DAYS * 86_400_000) });
  return `${publicUrl}/me/${token}`;
}

export type MeLinkCheck = { ok: true; personId: number } | { ok: false; status: 404 | 410 };

/** A bad or tampered link is 404, an expired one 410; either way nothing says who it was for. */
export function checkMeLink(secret: string, token: string, now: Date): MeLinkCheck {
  const verified = verifyLink(secret, token, 'me', now);
  if (!verified.ok) return { ok: false, status: verified.reason === 'expired' ? 410 : 404 };
  const personId = Number(verified.payload.subject);
  return Number.isSafeInteger(personId) && personId > 0 ? { ok: true, personId } : { ok: false, status: 404 };
}

/** The person's live feed token, if there is one; unlike currentFeedToken it never makes one (GETs change nothing). */
export async function liveFeedToken(db: Kysely<Database>, personId: number, secret: string): Promise<string | undefined> {
  const live = await db
    .selectFrom('feed_tokens')
    .select('nonce')
    .where('person_id', '=', personId)
    .where('revoked_at', 'is', null)
    .orderBy('id', 'desc')
    .executeTakeFirst();
  return live ? tokenFor(secret, live.nonce) : undefined;
}
