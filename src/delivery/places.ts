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

/** Remembers how to reach a place; the row is written only when the address is new or changed. */
export async function linkPlace(db: Kysely<Database>, place: PlaceLink): Promise<void> {
  await db
    .insertInto('place_channels')
    .values({ channel: place.channel, external_id: place.externalId, address: place.address })
    .onConflict((oc) =>
      oc
        .columns(['channel', 'external_id'])
        .doUpdateSet({ address: place.address, linked_at: sql<Date>`now()` })
        .where('place_channels.address', '<>', place.address),
    )
    .execute();
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
