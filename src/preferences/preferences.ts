import type { Kysely } from 'kysely';
import type { Database } from '../db/tables.js';
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

/** Mutes one kind for a person (the e-mail unsubscribe link); muting twice changes nothing. */
export async function muteKind(db: Kysely<Database>, personId: number, kind: MutableKind, now: Date): Promise<void> {
  const current = await loadPreferences(db, personId);
  if (current.mutedKinds.includes(kind)) return;
  await savePreferences(db, personId, { ...current, mutedKinds: [...current.mutedKinds, kind] }, now);
}
