import type { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import type { ActionHandler } from '../bot/commands/context.js';
import type { Clock } from '../clock.js';
import type { Database, DeliveryRow } from '../db/tables.js';
import { enqueue, type PlannedDelivery } from '../delivery/outbox.js';
import { addWorkingDays, nextWorkingDay } from '../domain/holidays.js';
import { occurrenceOn, takesPlace, type Occurrence } from '../domain/occurrences.js';
import { loadTeams } from '../feeds/feed-data.js';
import type { RenderBatch } from '../delivery/batch-context.js';
import { teamsFor } from '../delivery/batch-teams.js';
import { checkinMessages } from '../i18n/checkin-messages.js';
import { formatDateTime } from '../i18n/format.js';
import type { Language } from '../i18n/messages.js';
import type { ChannelKind, Message } from '../ports/channel.port.js';
import { coordinatorsByTeam, planMeetings, type MeetingPlanner } from '../reminders/plan-meetings.js';
import { formLink, formMessage } from './report-forms.js';
import { presenceMessages } from '../i18n/presence-messages.js';
import { presenceLink } from '../participation/presence-checkin.js';
import { occurrenceWindow } from '../participation/presence-window.js';
import { notClaimedNow } from '../delivery/claims.js';

export const DEFAULT_CHECKIN_AT = '09:00';

/**
 * What a check-in row carries: the meeting, whom it asks, and when the question was (or is to be)
 * asked. The person is named because the message carries their own signed form link, and a batch
 * may render one message for all rows with the same payload.
 */
export interface CheckinRef {
  [key: string]: string;
  type: 'checkin';
  teamId: string;
  date: string;
  stage: 'ask' | 'nudge';
  askAt: string;
  personId: string;
}

/** When the question about an occurrence is asked, and when the one nudge goes. */
function checkinTimes(occurrence: Occurrence, zone: string, time: string): { ask: DateTime; nudge: DateTime } {
  const askDay = nextWorkingDay(occurrence.end.setZone(zone).toISODate()!);
  return {
    ask: DateTime.fromISO(`${askDay}T${time}`, { zone }),
    nudge: DateTime.fromISO(`${addWorkingDays(askDay, 2)}T${time}`, { zone }),
  };
}

/**
 * After each meeting that takes place, its coordinators are asked for a status on the next
 * working day at the team's check-in time (default 09:00 local), and nudged once two working
 * days later unless the team sent a status meanwhile. Keys make planning idempotent.
 *
 * Like reminders, each team's mark (reminder-plans.ts) says how far it is planned: the daily
 * run plans only the meetings beyond it, and the whole window only for teams whose data changed
 * since (or those named in `teamIds`), instead of offering every key of 60 days again.
 */
export async function planCheckins(db: Kysely<Database>, options: { clock: Clock; horizonDays?: number; teamIds?: string[] }): Promise<number> {
  const [added] = await planMeetings(db, [checkinPlanner(db, options)], options.teamIds);
  return added!;
}

/** Check-ins as one kind of planMeetings (reminders/plan-meetings.ts): the window starts a week back, for meetings just held. */
export function checkinPlanner(db: Kysely<Database>, options: { clock: Clock; horizonDays?: number; teamIds?: string[] }): MeetingPlanner {
  const now = options.clock.now();
  const from = DateTime.fromJSDate(now).minus({ days: 7 }).toJSDate();
  const until = DateTime.fromJSDate(now).plus({ days: options.horizonDays ?? 60 }).toJSDate();
  let byTeam = new Map<string, { team_id: string; id: number; channels: unknown }[]>();
  const planned: PlannedDelivery[] = [];
  return {
    kind: 'checkins',
    window: { from, until },
    prepare: async () => {
      byTeam = await coordinatorsByTeam(db, options.teamIds);
    },
    team: ({ team, series }, found) => {
      const time = series.checkin_at ?? DEFAULT_CHECKIN_AT;
      for (const occurrence of found) {
        const { ask, nudge } = checkinTimes(occurrence, team.timezone, time);
        if (ask.toMillis() < now.getTime()) continue;
        for (const c of byTeam.get(team.id) ?? []) {
          for (const [stage, at] of [['ask', ask], ['nudge', nudge]] as const) {
            const ref: CheckinRef = { type: 'checkin', teamId: team.id, date: occurrence.date, stage, askAt: ask.toUTC().toISO()!, personId: String(c.id) };
            planned.push({ key: `checkin:${team.id}:${occurrence.date}:${stage}:${c.id}`, kind: 'checkin', personId: c.id, teamId: team.id, channels: c.channels as ChannelKind[], payload: ref, dueAt: at.toJSDate() });
          }
        }
      }
    },
    finish: () => enqueue(db, planned),
  };
}

/**
 * A team's meetings changed: check-ins still waiting follow their meeting (a moved meeting is
 * asked about after its new time, never before it took place), those of meetings that no
 * longer take place go, and what is missing is planned.
 */
export async function replanCheckins(db: Kysely<Database>, teamId: string, clock: Clock): Promise<number> {
  const [loaded] = await loadTeams(db, [teamId]);
  const waiting = await db.selectFrom('deliveries').select(['id', 'payload', 'due_at']).where('team_id', '=', teamId).where('kind', '=', 'checkin').where('state', '=', 'pending').where('attempts', '=', 0).execute();
  for (const row of waiting) {
    const ref = row.payload as CheckinRef;
    const occurrence = loaded && occurrenceOn(loaded.meetings, ref.date);
    if (!loaded || !occurrence || !takesPlace(occurrence)) {
      await db.deleteFrom('deliveries').where('id', '=', row.id).where('state', '=', 'pending').where(notClaimedNow()).execute();
      continue;
    }
    const times = checkinTimes(occurrence, loaded.team.timezone, loaded.series.checkin_at ?? DEFAULT_CHECKIN_AT);
    const at = times[ref.stage].toJSDate();
    const askAt = times.ask.toUTC().toISO()!;
    if (at.getTime() === row.due_at.getTime() && askAt === ref.askAt) continue;
    await db
      .updateTable('deliveries')
      .set({ due_at: at, next_attempt_at: at, payload: JSON.stringify({ ...ref, askAt }), updated_at: clock.now() })
      .where('id', '=', row.id)
      .where('state', '=', 'pending')
      .where(notClaimedNow())
      .execute();
  }
  return planCheckins(db, { clock, teamIds: [teamId] });
}

/**
 * The question, or nothing: a meeting since cancelled, or (for the nudge) a status already sent.
 * Within a claimed batch (`batch`) its check-ins' teams and coordinators are read together
 * (teamsFor); alone (or should the batch's read fail), the row reads its own.
 */
export async function renderCheckin(db: Kysely<Database>, row: DeliveryRow, ref: CheckinRef, language: Language, secret?: string, publicUrl = '', batch?: RenderBatch): Promise<Message | undefined> {
  const loaded = await teamsFor(db, row, 'checkin', batch);
  const team = loaded.teams.get(ref.teamId);
  const occurrence = team && occurrenceOn(team.meetings, ref.date);
  if (!team || !occurrence || !takesPlace(occurrence)) return undefined;
  // Never before the meeting took place (a move the planning has not followed yet).
  if (occurrence.end.toMillis() > (row.claimed_at ?? row.due_at).getTime()) return undefined;
  if (ref.stage === 'nudge') {
    const answered = await db.selectFrom('status_updates').select('id').where('team_id', '=', ref.teamId).where('created_at', '>=', new Date(ref.askAt)).executeTakeFirst();
    if (answered) return undefined;
  }
  // Rows planned before the payload named its person fall back on the row's own.
  const personId = ref.personId ? Number(ref.personId) : row.person_id;
  if (personId !== row.person_id) return undefined;
  // Asked as the team's coordinator: one who no longer is (a re-import, a removal) is not asked.
  if (personId === null || !loaded.coordinators.has(`${ref.teamId}|${personId}`)) return undefined;
  const t = checkinMessages[language];
  const p = presenceMessages[language];
  const when = formatDateTime(occurrence.start, language);
  // Who came: the list pre-filled from the answers, confirmed with one tap per change (docs/participation.md).
  // The team and occurrence read above (meetingWindow would read and work them out again).
  const window = occurrenceWindow(occurrence, team.team.timezone);
  const meeting = `${ref.teamId}:${ref.date}`;
  return {
    language,
    title: ref.stage === 'ask' ? t.askTitle(team.team.name) : t.nudgeTitle(team.team.name),
    text: `${ref.stage === 'ask' ? t.askText(when) : t.nudgeText(when)}\n\n${p.askPresence}`,
    actions: [
      { id: 'checkin:answer', value: ref.teamId, label: t.answerLabel, style: 'primary' },
      { id: 'presence:open', value: meeting, label: p.confirmLabel },
    ],
    // E-mail has no buttons: signed links to the web forms do the same.
    ...(secret && personId
      ? {
          links: [
            { label: t.answerLabel, url: formLink(secret, publicUrl, 'status', personId, row.due_at) },
            { label: p.confirmLabel, url: presenceLink(secret, publicUrl, personId, ref.teamId, ref.date, window) },
          ],
        }
      : {}),
  };
}

/** The check-in's one button opens the status form. */
export const checkinAction: ActionHandler = async (ctx) => formMessage('status', ctx.person.language, ctx.appSecret, ctx.publicUrl, ctx.person.id, ctx.clock.now());
