import type { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import type { Clock } from '../clock.js';
import type { Database, DeliveryRow } from '../db/tables.js';
import { enqueue, type PlannedDelivery } from '../delivery/outbox.js';
import { occurrenceOn, takesPlace } from '../domain/occurrences.js';
import { loadTeams } from '../feeds/feed-data.js';
import type { Language } from '../i18n/messages.js';
import type { ChannelKind, Message } from '../ports/channel.port.js';
import { occurrenceKey } from '../reminders/occurrence-window.js';
import { outsideQuietHours } from '../reminders/quiet-hours.js';
import { coordinatorsByTeam, planMeetings, type MeetingPlanner } from '../reminders/plan-meetings.js';
import { loadSummary, summaryMessage } from './attendance-summary.js';
import { notClaimedNow } from '../delivery/claims.js';
import type { RenderBatch } from '../delivery/batch-context.js';
import { teamsFor } from '../delivery/batch-teams.js';

/** What a summary row carries: the meeting and, for a coordinator's copy, whom (their own list links). */
export interface SummaryRef {
  [key: string]: string;
  type: 'attendance_summary';
  teamId: string;
  date: string;
  /** The start it was planned for: a moved meeting's old summary says nothing. */
  startsAt: string;
  /** Absent for the team's channel (no personal links there). */
  personId: string;
}

const BEFORE_MS = 24 * 3600_000;

/**
 * The day before each meeting that takes place (24 hours before, outside quiet hours), its
 * coordinators get the attendance summary, and the team's Slack and Teams channels the same
 * without personal links. Keys name the occurrence's timing (occurrenceKey), so a moved meeting
 * gets a summary for its new time; replanSummaries drops the old one.
 */
export async function planSummaries(db: Kysely<Database>, options: { clock: Clock; horizonDays?: number; teamIds?: string[] }): Promise<number> {
  const [added] = await planMeetings(db, [summaryPlanner(db, options)], options.teamIds);
  return added!;
}

/** Summaries as one kind of planMeetings (reminders/plan-meetings.ts), with their own marks like reminders and check-ins. */
export function summaryPlanner(db: Kysely<Database>, options: { clock: Clock; horizonDays?: number; teamIds?: string[] }): MeetingPlanner {
  const now = options.clock.now();
  const until = new Date(now.getTime() + (options.horizonDays ?? 60) * 86_400_000);
  let byTeam = new Map<string, { id: number; channels: unknown }[]>();
  const planned: PlannedDelivery[] = [];
  return {
    kind: 'summaries',
    window: { from: now, until },
    prepare: async () => {
      byTeam = await coordinatorsByTeam(db, options.teamIds);
    },
    team: ({ team }, found) => {
      for (const occurrence of found) {
        const start = occurrence.start.toJSDate();
        const due = outsideQuietHours(new Date(start.getTime() - BEFORE_MS), start, team.timezone);
        if (due.getTime() < now.getTime()) continue;
        const key = `attendance-summary:${team.id}:${occurrenceKey(occurrence)}`;
        const ref = (personId: string): SummaryRef => ({ type: 'attendance_summary', teamId: team.id, date: occurrence.date, startsAt: start.toISOString(), personId });
        for (const c of byTeam.get(team.id) ?? []) {
          planned.push({ key: `${key}:${c.id}`, kind: 'attendance_summary', personId: c.id, teamId: team.id, channels: c.channels as ChannelKind[], payload: ref(String(c.id)), dueAt: due, expiresAt: start });
        }
        const places: [ChannelKind, string | null][] = [['slack', team.slack_channel], ['teams', team.teams_channel]];
        for (const [channel, address] of places) {
          if (!address) continue;
          planned.push({ key: `${key}:place:${channel}`, kind: 'attendance_summary', place: { address, language: 'pl' }, teamId: team.id, channels: [channel], payload: ref(''), dueAt: due, expiresAt: start });
        }
      }
    },
    finish: () => enqueue(db, planned),
  };
}

/** A team changed: summaries still waiting for a meeting no longer at that time go, and what is missing is planned. */
export async function replanSummaries(db: Kysely<Database>, teamId: string, clock: Clock): Promise<number> {
  const [loaded] = await loadTeams(db, [teamId]);
  const waiting = await db.selectFrom('deliveries').select(['id', 'payload']).where('team_id', '=', teamId).where('kind', '=', 'attendance_summary').where('state', '=', 'pending').execute();
  const stale = waiting
    .filter((row) => {
      const ref = row.payload as SummaryRef;
      const occurrence = loaded && occurrenceOn(loaded.meetings, ref.date);
      return !occurrence || !takesPlace(occurrence) || occurrence.start.toJSDate().toISOString() !== ref.startsAt;
    })
    .map((row) => row.id);
  if (stale.length > 0) await db.deleteFrom('deliveries').where('id', 'in', stale).where('state', '=', 'pending').where(notClaimedNow()).execute();
  return planSummaries(db, { clock, teamIds: [teamId] });
}

/** The summary as things stand when it is sent; nothing for a meeting moved or cancelled since, or a coordinator no longer one. */
export async function renderSummary(db: Kysely<Database>, row: DeliveryRow, language: Language, publicUrl: string, secret?: string, batch?: RenderBatch): Promise<Message | undefined> {
  const ref = row.payload as SummaryRef;
  // Within a claimed batch its summaries' teams and coordinators are read together; alone (or
  // should that read fail), the row reads its own.
  const loaded = await teamsFor(db, row, 'attendance_summary', batch);
  const team = loaded.teams.get(ref.teamId);
  const occurrence = team && occurrenceOn(team.meetings, ref.date);
  if (!team || !occurrence || !takesPlace(occurrence) || occurrence.start.toJSDate().toISOString() !== ref.startsAt) return undefined;
  const personId = ref.personId ? Number(ref.personId) : undefined;
  if (personId !== undefined) {
    if (personId !== row.person_id) return undefined;
    if (!loaded.coordinators.has(`${ref.teamId}|${personId}`)) return undefined;
  }
  const rows = await loadSummary(db, ref.teamId, occurrence);
  const now = row.claimed_at ?? row.due_at;
  const links = personId !== undefined && secret ? { publicUrl, secret, viewerId: personId, now: DateTime.fromJSDate(now).toJSDate() } : undefined;
  return summaryMessage(team.team.name, team.team.id, occurrence, rows, language, links);
}
