import { sql, type RawBuilder } from 'kysely';
import type { ChannelKind } from '../ports/channel.port.js';

/**
 * A lane is the channel a row is at (`channels[channel_index]`); `none` holds rows with no
 * channel left. Each lane claims, sends and records on its own, so a hanging mail server
 * delays only e-mail, never Slack or Teams (issue: a slow SMTP made Slack 2 min 41 s late).
 * The lanes are every ChannelKind, not only those turned on: a row at a channel that is off
 * is still claimed (by its lane) and fails at once with the reason.
 */
export type Lane = ChannelKind | 'none';

export const LANES: readonly Lane[] = ['slack', 'teams', 'email', 'console', 'none'];

/**
 * The rows of a lane, in the form the partial indexes `deliveries_lane_due` (migration
 * 20261203_0013: the next due time, the gauge) and `deliveries_lane_order` (migration
 * 20261206_0032, rebuilt by 20261206_0034: claims, the lead) are built on, so those statements walk them.
 */
export function laneCondition(lane: Lane): RawBuilder<boolean> {
  return lane === 'none' ? sql<boolean>`(channels ->> channel_index) is null` : sql<boolean>`(channels ->> channel_index) = ${lane}`;
}

/**
 * Whether a row is bulk: an activity's first invitations and announcements, sent by the thousand
 * at one instant with days to spare (an invitation's RSVP deadline), and the RCPS digests (a week
 * of every team, due on Monday at 08:00 with the reminders quiet hours held overnight; composing
 * them among those made the reminders late: migration 0035). A lane's claims take them
 * after its time-bound rows (reminders, an invitation's update or cancellation, seat offers and
 * RSVP-deadline nudges with their deadlines, check-ins, notices, confirmations), so a
 * conference's invitations never hold back the meeting reminders due a minute later, and a
 * cancellation never waits behind a backlog until its activity has started (docs/delivery-engine.md,
 * "Order within a lane"). An update is an invitation with `payload.update = '1'`
 * (src/invitations/plan-invitations.ts). Never null (`kind` is not null; the payload's fields are
 * compared with `is [not] distinct from`). Written exactly as the partial index
 * `deliveries_lane_order` (migration 0035, before it 0034 and 0032) is built on, so a claim reads that
 * index; tested with `is true` / `is false`, which the planner matches to a boolean index column
 * (`not (a or b)` it would rewrite to `not a and not b`).
 */
export const bulkRow = sql<boolean>`(kind in ('announcement', 'digest') or (kind = 'invitation' and (payload ->> 'type') is not distinct from 'invitation' and (payload ->> 'update') is distinct from '1'))`;
