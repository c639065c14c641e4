import { sql, type Kysely } from 'kysely';
import type { Database, DeliveryRow } from '../db/tables.js';
import type { ChannelKind, PlaceLink } from '../ports/channel.port.js';
import { DEFAULT_QUIET_HOURS } from '../reminders/quiet-hours.js';
import type { Recipient } from './batch-context.js';

/**
 * Platforms that post to a place (a channel) only through an address learned from the platform
 * itself: Teams needs the serviceUrl and tenant it saw in the channel's team, where Slack needs
 * nothing but the channel id a schedule file names.
 */
const LEARNED_PLACES: ReadonlySet<ChannelKind> = new Set(['teams']);

/** The reason a place delivery fails for good when the bot was never in the place's team; `dostarczenia` translates it. */
export const PLACE_NOT_LINKED = 'the bot has never been in the team of this channel, so it does not know where to post';

/**
 * Remembers how to reach a place; the row is written only when the address is new or changed.
 * Returns whether it was: only then can dead letters to the place have become deliverable.
 */
export async function linkPlace(db: Kysely<Database>, place: PlaceLink): Promise<boolean> {
  const written = await db
    .insertInto('place_channels')
    .values({ channel: place.channel, external_id: place.externalId, address: place.address })
    .onConflict((oc) =>
      oc
        .columns(['channel', 'external_id'])
        .doUpdateSet({ address: place.address, linked_at: sql<Date>`now()` })
        .where('place_channels.address', '<>', place.address),
    )
    .returning('external_id')
    .executeTakeFirst();
  return written !== undefined;
}

/** How long after it was due a message that found its place unknown is still worth sending once the place is learned. */
export const REQUEUE_WITHIN_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Puts back in the outbox the dead letters to a place that failed only because the bot did not
 * know it yet (issue 3): once each (`requeued_at`), while recent, and never past their expiry
 * (a meeting or activity that has begun). Returns how many.
 */
export async function requeueUnlinked(db: Kysely<Database>, place: PlaceLink, now: Date): Promise<number> {
  const result = await db
    .updateTable('deliveries')
    .set({ state: 'pending', attempts: 0, next_attempt_at: now, requeued_at: now, updated_at: now })
    .where('state', '=', 'failed')
    .where('place_address', '=', place.externalId)
    .where('last_error', '=', `${place.channel}: ${PLACE_NOT_LINKED}`)
    .where('requeued_at', 'is', null)
    .where('due_at', '>=', new Date(now.getTime() - REQUEUE_WITHIN_MS))
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/**
 * After a batch: rows it failed as PLACE_NOT_LINKED whose place is known by now. The bot may
 * have learned the place while the batch ran, after the batch read the addresses and before it
 * wrote these failures: linkPlace's requeueUnlinked then looked too early and nothing would
 * look again. Returns how many were put back.
 */
export async function requeueLearnedSince(db: Kysely<Database>, failed: DeliveryRow[], now: Date): Promise<number> {
  const ids = [...new Set(failed.map((r) => r.place_address).filter((id): id is string => Boolean(id)))];
  if (ids.length === 0) return 0;
  const known = await db.selectFrom('place_channels').select(['channel', 'external_id', 'address']).where('external_id', 'in', ids).execute();
  let requeued = 0;
  for (const p of known) requeued += await requeueUnlinked(db, { channel: p.channel as ChannelKind, externalId: p.external_id, address: p.address }, now);
  return requeued;
}

const keyOf = (channel: string, externalId: string) => `${channel}\n${externalId}`;

/**
 * Where each place row of a batch is sent: the learned address on a platform that needs one
 * (undefined while the bot has not been there), else the place id itself.
 */
export async function placeAddressesOf(db: Kysely<Database>, rows: DeliveryRow[]): Promise<(row: DeliveryRow, channel: ChannelKind) => string | undefined> {
  const ids = [...new Set(rows.filter((r) => r.place_address && (r.channels as ChannelKind[]).some((c) => LEARNED_PLACES.has(c))).map((r) => r.place_address!))];
  const learned = new Map<string, string>();
  if (ids.length) {
    for (const p of await db.selectFrom('place_channels').select(['channel', 'external_id', 'address']).where('external_id', 'in', ids).execute()) {
      learned.set(keyOf(p.channel, p.external_id), p.address);
    }
  }
  return (row, channel) => (LEARNED_PLACES.has(channel) ? learned.get(keyOf(channel, row.place_address!)) : row.place_address!);
}

type PlaceAddress = Awaited<ReturnType<typeof placeAddressesOf>>;

/** The person a row is for, or the place (a channel) it names itself, reached at the address the platform taught us. */
export function recipientOf(row: DeliveryRow, people: Map<number, Recipient>, placeAddress: PlaceAddress): Recipient | undefined {
  if (row.place_address) {
    const channel = (row.channels as ChannelKind[])[0]!;
    const address = placeAddress(row, channel);
    return {
      id: 0,
      email: '',
      language: row.place_language === 'en' ? 'en' : 'pl',
      preferences: { mutedKinds: [], mutedChannels: [], quiet: DEFAULT_QUIET_HOURS },
      addresses: address ? { [channel]: address } : {},
    };
  }
  return row.person_id === null ? undefined : people.get(row.person_id);
}
