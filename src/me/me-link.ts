import type { Kysely } from 'kysely';
import type { Database } from '../db/tables.js';
import { currentPageToken } from './personal-links.js';

/** The address of a person's own page, /me/{token} (src/me/personal-links.ts): 30 days, revocable. */
export async function personalPageUrl(db: Kysely<Database>, publicUrl: string, secret: string, personId: number, now: Date): Promise<string> {
  return `${publicUrl.replace(/\/+$/, '')}/me/${await currentPageToken(db, secret, personId, now)}`;
}
