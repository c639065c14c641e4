import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/tables.js';
import { retimeInvitations } from '../invitations/invitation-timing.js';
import { replanPerson } from '../reminders/plan-reminders.js';
import { savePreferences, type Preferences } from './preferences.js';

/**
 * Saves what a person chose (chat `ustawienia`, the personal page). When their quiet hours
 * changed, what already waits for them in the outbox follows at once, in the same transaction:
 * invitations, seat offers and reminders of activities and their RSVP deadlines, and meeting
 * reminders, each by the rule it was planned with (issue 6). Muted kinds and channels need nothing here: the dispatcher reads them when it sends.
 */
export async function changePreferences(db: Kysely<Database>, personId: number, current: Preferences, next: Preferences, clock: Clock): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await savePreferences(trx, personId, next, clock.now());
    if (next.quiet.from === current.quiet.from && next.quiet.to === current.quiet.to) return;
    await retimeInvitations(trx, personId, clock.now());
    await replanPerson(trx, personId, clock);
  });
}
