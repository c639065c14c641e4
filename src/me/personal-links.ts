import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { bumpDataVersion } from '../db/data-version.js';
import type { Database, PersonalLinkTable } from '../db/tables.js';

export type LinkPurpose = PersonalLinkTable['purpose'];

/** How long a link works: the personal page 30 days (renewed in every message a week before), a confirmation one hour. */
export const LINK_LIFETIME_MS: Record<LinkPurpose, number> = { me: 30 * 86_400_000, confirm_erase: 3600_000, confirm_feed: 3600_000 };
/** A page link with less left than this is not put in a new message: a fresh one is. */
const RENEW_BEFORE_MS = 7 * 86_400_000;

/**
 * Personal links are 256-bit random tokens (43 characters), stored only as their SHA-256, each
 * revocable on its own or with all of the person's others. The token is HMAC(APP_SECRET, nonce)
 * so the service can show a link again (in each e-mail, in a confirmation rendered when sent)
 * while the database alone reveals none, as for feed tokens.
 */
const tokenOf = (secret: string, nonce: string) => createHmac('sha256', secret).update(`personal-link:${nonce}`).digest('base64url');
export const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');

/** A new link's row and its token (shown once, in the message that carries it). */
function newLink(secret: string, personId: number, purpose: LinkPurpose, now: Date) {
  const nonce = randomBytes(32).toString('base64url');
  const token = tokenOf(secret, nonce);
  return { token, row: { person_id: personId, purpose, token_hash: hashOf(token), nonce, created_at: now, expires_at: new Date(now.getTime() + LINK_LIFETIME_MS[purpose]) } };
}

export async function issueLink(db: Kysely<Database>, secret: string, personId: number, purpose: LinkPurpose, now: Date): Promise<{ id: number; token: string }> {
  const { token, row } = newLink(secret, personId, purpose, now);
  const { id } = await db.insertInto('personal_links').values(row).returning('id').executeTakeFirstOrThrow();
  return { id, token };
}

/** The token of a stored link, to show it to its owner again (a confirmation rendered when sent). */
export async function tokenOfLink(
  db: Kysely<Database>,
  secret: string,
  linkId: number,
): Promise<{ token: string; personId: number; purpose: LinkPurpose; expiresAt: Date; live: (now: Date) => boolean } | undefined> {
  const row = await db.selectFrom('personal_links').selectAll().where('id', '=', linkId).executeTakeFirst();
  if (!row) return undefined;
  return { token: tokenOf(secret, row.nonce), personId: row.person_id, purpose: row.purpose, expiresAt: row.expires_at, live: (now) => !row.revoked_at && !row.used_at && row.expires_at > now };
}

/** The person's page link for a new message: their current one while it has a week left, else a new one. */
export async function currentPageToken(db: Kysely<Database>, secret: string, personId: number, now: Date): Promise<string> {
  return (await pageTokens(db, secret, [personId], now)).get(personId)!;
}

/**
 * The page links of several people for new messages (a dispatcher's batch of e-mails): each
 * person's current link while it has a week left, and a new one for everyone else, all made in
 * one insert. A person's first mail, and one mail a month after that, needs a new link: in the
 * national week a lookup and an insert per person were two of the week's three most frequent
 * statements (issue 17). One statement, so one person who cannot have a link (erased meanwhile)
 * fails it for all: the caller then asks for each link alone (preference-links.ts).
 */
export async function pageTokens(db: Kysely<Database>, secret: string, personIds: number[], now: Date): Promise<Map<number, string>> {
  const tokens = await currentPageTokens(db, secret, personIds, now);
  const made = [...new Set(personIds)].filter((id) => !tokens.has(id)).map((id) => ({ id, ...newLink(secret, id, 'me', now) }));
  if (made.length === 0) return tokens;
  await db.insertInto('personal_links').values(made.map((m) => m.row)).execute();
  for (const m of made) tokens.set(m.id, m.token);
  return tokens;
}

/**
 * The current page links of several people in one query: each one's link while it has a week
 * left; people without one are left out (`pageTokens` issues theirs).
 */
export async function currentPageTokens(db: Kysely<Database>, secret: string, personIds: number[], now: Date): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  if (personIds.length === 0) return out;
  const rows = await db
    .selectFrom('personal_links')
    .select(['person_id', 'nonce'])
    .where('person_id', 'in', personIds)
    .where('purpose', '=', 'me')
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', new Date(now.getTime() + RENEW_BEFORE_MS))
    // The longest-lived; two issued in the same instant: the later one, so the page shows the same link each time.
    .orderBy('person_id')
    .orderBy('expires_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  for (const row of rows) if (!out.has(row.person_id)) out.set(row.person_id, tokenOf(secret, row.nonce));
  return out;
}

export type LinkCheck = { ok: true; id: number; personId: number; purpose: LinkPurpose } | { ok: false; status: 404 | 410 };

/**
 * An unknown, revoked or used token is 404; an expired one 410 (so its owner is told to ask for
 * a new one). Either way nothing says whom it was for.
 */
export async function checkLink(db: Kysely<Database>, token: string, purposes: LinkPurpose[], now: Date): Promise<LinkCheck> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return { ok: false, status: 404 };
  const row = await db.selectFrom('personal_links').selectAll().where('token_hash', '=', hashOf(token)).executeTakeFirst();
  if (!row || !purposes.includes(row.purpose) || row.revoked_at || row.used_at) return { ok: false, status: 404 };
  if (row.expires_at <= now) return { ok: false, status: 410 };
  return { ok: true, id: row.id, personId: row.person_id, purpose: row.purpose };
}

/** Uses a confirmation once: true for the one request that got it. */
export async function useLink(db: Kysely<Database>, id: number, now: Date): Promise<boolean> {
  const used = await db.updateTable('personal_links').set({ used_at: now }).where('id', '=', id).where('used_at', 'is', null).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(used.numUpdatedRows) === 1;
}

/**
 * Ends every link of a person: their page links, any confirmation not yet used and their calendar
 * feed link (the page shows it, so whoever saw a forwarded page link saw the feed link too).
 */
export async function endAllLinks(db: Kysely<Database>, personId: number, now: Date): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const ended = await trx.updateTable('personal_links').set({ revoked_at: now }).where('person_id', '=', personId).where('revoked_at', 'is', null).executeTakeFirst();
    const feeds = await trx.updateTable('feed_tokens').set({ revoked_at: now }).where('person_id', '=', personId).where('revoked_at', 'is', null).executeTakeFirst();
    await bumpDataVersion(trx);
    return Number(ended.numUpdatedRows) + Number(feeds.numUpdatedRows);
  });
}
