import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/tables.js';
import { bumpDataVersion } from '../db/data-version.js';

/**
 * Personal feed tokens: 256 bits, URL-safe. Each is HMAC(APP_SECRET, random nonce); the
 * database keeps the nonce and the token's SHA-256 (for lookup), never the token, so the link
 * can be shown to its owner again while a copy of the database alone reveals no feed.
 */
export function tokenFor(secret: string, nonce: string): string {
  return createHmac('sha256', secret).update(`feed-token:${nonce}`).digest('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The person's live feed token, if there is one (never makes one: GETs change nothing). */
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

/** The person's live feed token, made on first use. */
export async function currentFeedToken(db: Kysely<Database>, personId: number, secret: string, clock: Clock): Promise<string> {
  return (await liveFeedToken(db, personId, secret)) ?? issueFeedToken(db, personId, secret, clock);
}

/** Revokes the person's feed links and issues a new one. */
export async function issueFeedToken(db: Kysely<Database>, personId: number, secret: string, clock: Clock): Promise<string> {
  const nonce = randomBytes(32).toString('base64url');
  const token = tokenFor(secret, nonce);
  await db.transaction().execute(async (trx) => {
    await replaceFeedToken(trx, personId, token, nonce, clock);
  });
  return token;
}

/** A new feed token inside a transaction the caller holds (a confirmation link is spent in the same one). */
export async function issueFeedTokenIn(trx: Transaction<Database>, personId: number, secret: string, clock: Clock): Promise<string> {
  const nonce = randomBytes(32).toString('base64url');
  const token = tokenFor(secret, nonce);
  await replaceFeedToken(trx, personId, token, nonce, clock);
  return token;
}

async function replaceFeedToken(trx: Transaction<Database>, personId: number, token: string, nonce: string, clock: Clock): Promise<void> {
  await trx.updateTable('feed_tokens').set({ revoked_at: clock.now() }).where('person_id', '=', personId).where('revoked_at', 'is', null).execute();
  await trx.insertInto('feed_tokens').values({ person_id: personId, token_hash: hashToken(token), nonce, created_at: clock.now() }).execute();
  await bumpDataVersion(trx);
}

export async function revokeFeedTokens(db: Kysely<Database>, personId: number, clock: Clock): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const result = await trx
      .updateTable('feed_tokens')
      .set({ revoked_at: clock.now() })
      .where('person_id', '=', personId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    await bumpDataVersion(trx);
    return Number(result.numUpdatedRows);
  });
}

/** The person a live token belongs to; undefined for unknown, revoked or removed. */
export async function personForToken(db: Kysely<Database>, token: string): Promise<{ id: number; name: string } | undefined> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return undefined;
  return db
    .selectFrom('feed_tokens')
    .innerJoin('people', 'people.id', 'feed_tokens.person_id')
    .select(['people.id', 'people.name'])
    .where('feed_tokens.token_hash', '=', hashToken(token))
    .where('feed_tokens.revoked_at', 'is', null)
    .where('people.removed_at', 'is', null)
    .executeTakeFirst();
}
