import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/tables.js';
import { inTransaction } from '../db/transactions.js';
import type { ChannelKind } from '../ports/channel.port.js';
import { DEFAULT_QUIET_HOURS, type QuietHours } from '../reminders/quiet-hours.js';

/** The kinds of message a person may mute; delivery kinds map onto them. */
export const MUTABLE_KINDS = ['reminders', 'notices', 'announcements', 'invitations'] as const;
export type MutableKind = (typeof MUTABLE_KINDS)[number];

const kindOfDelivery: Record<string, MutableKind> = {
  reminder: 'reminders',
  meeting_change: 'notices',
  announcement: 'announcements',
  invitation: 'invitations',
  activity_reminder: 'reminders',
};

export interface Preferences {
  mutedKinds: MutableKind[];
  mutedChannels: ChannelKind[];
  quiet: QuietHours;
}

export async function loadPreferences(db: Kysely<Database>, personId: number): Promise<Preferences> {
  const row = await db.selectFrom('preferences').selectAll().where('person_id', '=', personId).executeTakeFirst();
  if (!row) return { mutedKinds: [], mutedChannels: [], quiet: DEFAULT_QUIET_HOURS };
  return {
    mutedKinds: row.muted_kinds as MutableKind[],
    mutedChannels: row.muted_channels as ChannelKind[],
    quiet: { from: row.quiet_from, to: row.quiet_to },
  };
}

export async function savePreferences(db: Kysely<Database>, personId: number, p: Preferences, now: Date): Promise<void> {
  const values = {
    muted_kinds: JSON.stringify([...new Set(p.mutedKinds)].sort()),
    muted_channels: JSON.stringify([...new Set(p.mutedChannels)].sort()),
    quiet_from: p.quiet.from,
    quiet_to: p.quiet.to,
    updated_at: now,
  };
  await db
    .insertInto('preferences')
    .values({ person_id: personId, ...values })
    .onConflict((oc) => oc.column('person_id').doUpdateSet(values))
    .execute();
}

/** Whether the person muted this kind of delivery (a problem report's answer is never muted). */
export function isMutedKind(p: Preferences, deliveryKind: string): boolean {
  const kind = kindOfDelivery[deliveryKind];
  return kind !== undefined && p.mutedKinds.includes(kind);
}

/** The kind a person can mute that a delivery kind belongs to, if any. */
export function mutableKindOf(deliveryKind: string): MutableKind | undefined {
  return kindOfDelivery[deliveryKind];
}

export const isMutableKind = (value: string): value is MutableKind => (MUTABLE_KINDS as readonly string[]).includes(value);

/** What to add and take away: applied to the stored row, never to a copy read earlier. */
export interface PreferenceChange {
  mute?: MutableKind[];
  unmute?: MutableKind[];
  muteChannels?: ChannelKind[];
  unmuteChannels?: ChannelKind[];
  quiet?: QuietHours;
}

/** The change between what a person saw and what they chose (a form shows the whole state). */
export function preferenceChange(current: Preferences, next: Preferences): PreferenceChange {
  const added = <T>(from: T[], to: T[]) => to.filter((x) => !from.includes(x));
  return {
    mute: added(current.mutedKinds, next.mutedKinds),
    unmute: added(next.mutedKinds, current.mutedKinds),
    muteChannels: added(current.mutedChannels, next.mutedChannels),
    unmuteChannels: added(next.mutedChannels, current.mutedChannels),
    ...(next.quiet.from !== current.quiet.from || next.quiet.to !== current.quiet.to ? { quiet: next.quiet } : {}),
  };
}

/** (list ∪ add) ∖ remove, sorted and without repeats, computed by the database on the stored list. */
const merged = (column: 'muted_kinds' | 'muted_channels', add: string[], remove: string[]) => sql<string>`(
  select coalesce(jsonb_agg(k order by k), '[]'::jsonb)
  from (select distinct jsonb_array_elements_text(preferences.${sql.ref(column)} || ${JSON.stringify(add)}::jsonb) as k) s
  where not (k = any(${remove}::text[])))`;

/**
 * Applies a change to a person's preferences atomically: two changes at once (two one-click
 * unsubscribes, chat and the personal page) both hold, since each statement adds to and takes
 * from the row as stored, not a copy read before. Returns the quiet hours before (read under the
 * row's lock, so they are the ones this change replaced) and the preferences after.
 */
export async function applyPreferenceChange(db: Kysely<Database>, personId: number, change: PreferenceChange, now: Date): Promise<{ quietBefore: QuietHours; after: Preferences }> {
  return inTransaction(db, async (trx) => {
    await trx.insertInto('preferences').values({ person_id: personId, muted_kinds: '[]', muted_channels: '[]', updated_at: now }).onConflict((oc) => oc.column('person_id').doNothing()).execute();
    const before = await trx.selectFrom('preferences').select(['quiet_from', 'quiet_to']).where('person_id', '=', personId).forUpdate().executeTakeFirstOrThrow();
    const row = await trx
      .updateTable('preferences')
      .set({
        muted_kinds: merged('muted_kinds', change.mute ?? [], change.unmute ?? []),
        muted_channels: merged('muted_channels', change.muteChannels ?? [], change.unmuteChannels ?? []),
        ...(change.quiet ? { quiet_from: change.quiet.from, quiet_to: change.quiet.to } : {}),
        updated_at: now,
      })
      .where('person_id', '=', personId)
      .returningAll()
      .executeTakeFirstOrThrow();
    return {
      quietBefore: { from: before.quiet_from, to: before.quiet_to },
      after: { mutedKinds: row.muted_kinds as MutableKind[], mutedChannels: row.muted_channels as ChannelKind[], quiet: { from: row.quiet_from, to: row.quiet_to } },
    };
  });
}

/** Mutes one kind for a person (the e-mail unsubscribe link); muting twice changes nothing. */
export async function muteKind(db: Kysely<Database>, personId: number, kind: MutableKind, now: Date): Promise<void> {
  await applyPreferenceChange(db, personId, { mute: [kind] }, now);
}
