import type { Kysely } from 'kysely';
import type { Database } from '../db/tables.js';
import { currentPageToken, pageTokens } from './personal-links.js';

/** The address of a person's own page, /me/{token} (src/me/personal-links.ts): 30 days, revocable. */
export async function personalPageUrl(db: Kysely<Database>, publicUrl: string, secret: string, personId: number, now: Date): Promise<string> {
  return `${publicUrl.replace(/\/+$/, '')}/me/${await currentPageToken(db, secret, personId, now)}`;
}

/** The page addresses of several people: a query for their current links, an insert for those who need a new one. */
export async function personalPageUrls(db: Kysely<Database>, publicUrl: string, secret: string, personIds: number[], now: Date): Promise<Map<number, string>> {
  const base = publicUrl.replace(/\/+$/, '');
  const tokens = await pageTokens(db, secret, personIds, now);
  return new Map([...tokens].map(([id, token]) => [id, `${base}/me/${token}`]));
}
