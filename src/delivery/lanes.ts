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
 * The rows of a lane, in the form the partial index `deliveries_lane_due` is built on
 * (migration 20261203_0013), so a claim walks that index in due order.
 */
export function laneCondition(lane: Lane): RawBuilder<boolean> {
  return lane === 'none' ? sql<boolean>`(channels ->> channel_index) is null` : sql<boolean>`(channels ->> channel_index) = ${lane}`;
}
