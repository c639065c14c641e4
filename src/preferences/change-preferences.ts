import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/tables.js';
import { retimeInvitations } from '../invitations/invitation-timing.js';
import type { ChannelKind } from '../ports/channel.port.js';
import { replanPerson } from '../reminders/plan-reminders.js';
import { applyPreferenceChange, preferenceChange, type Preferences } from './preferences.js';

/** A change that would mute every channel the person has: refused, nothing stored. */
export class LastChannelError extends Error {
  readonly code = 'last_channel';
  constructor(readonly personId: number) {
    super(`person ${personId} would have every channel muted`);
  }
}

/**
 * Saves what a person chose (chat `ustawienia`, the personal page): what they changed from
 * `current` (what they saw) to `next`, applied atomically to the stored row, so a change made
 * meanwhile elsewhere (a one-click unsubscribe) is kept. When their quiet hours changed, what
 * already waits for them in the outbox follows at once, in the same transaction: invitations,
 * seat offers and reminders of activities and their RSVP deadlines, and meeting reminders, each
 * by the rule it was planned with (issue 6). Muted kinds and channels need nothing here: the
 * dispatcher reads them when it sends. Returns the preferences as stored.
 */
export async function changePreferences(db: Kysely<Database>, personId: number, current: Preferences, next: Preferences, clock: Clock): Promise<Preferences> {
  return db.transaction().execute(async (trx) => {
    const { quietBefore, after } = await applyPreferenceChange(trx, personId, preferenceChange(current, next), clock.now());
    // Checked on the stored result: two changes at once may each leave a channel, but not both.
    const person = await trx.selectFrom('people').select('channels').where('id', '=', personId).executeTakeFirstOrThrow();
    const own = person.channels as ChannelKind[];
    if (own.length > 0 && own.every((c) => after.mutedChannels.includes(c))) throw new LastChannelError(personId);
    if (after.quiet.from === quietBefore.from && after.quiet.to === quietBefore.to) return after;
    await retimeInvitations(trx, personId, clock.now());
    await replanPerson(trx, personId, clock);
    return after;
  });
}
