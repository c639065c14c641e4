import { sql, type Kysely } from 'kysely';
import { DateTime } from 'luxon';
import type { Clock } from '../clock.js';
import type { Database } from '../db/tables.js';
import { enqueue, setDueTimes, type PlannedDelivery } from '../delivery/outbox.js';
import { parseDuration } from '../domain/local-time.js';
import type { ChannelKind } from '../ports/channel.port.js';
import { DEFAULT_QUIET_HOURS, plannedReminderTiming, plannedTimingRule, quietHoursColumns, quietOf, reminderTimingRule, type QuietHours } from './quiet-hours.js';
import { occurrenceKey } from './occurrence-window.js';
import { planMeetings, type MeetingPlanner } from './plan-meetings.js';
import { dropStaleReminders } from './stale-reminders.js';
import { performance } from 'node:perf_hooks';
import { BatchSizer } from '../time-slices.js';

export const DEFAULT_HORIZON_DAYS = 60;

/** What a reminder row carries: a reference, rendered when it is sent (see reminder-message.ts). */
export interface ReminderRef {
  [key: string]: string;
  type: 'reminder';
  teamId: string;
  date: string;
  offset: string;
}

/**
 * Plans one reminder per meeting occurrence, member and offset over the horizon. Keys make it
 * idempotent: planning twice adds nothing. Reminders already due are not planned late.
 *
 * The fan-out to members happens in the database: this sends one row per occurrence and
 * offset, and one INSERT … SELECT joins them to the team's members (ten times less to
 * compute, serialise and ship). Only people with quiet hours of their own get rows computed
 * here, since their due time differs. Batches are inserted while the next ones are computed,
 * and at most two are held in memory, whatever the number of teams. The loop pauses for the
 * event loop every few milliseconds of work, so requests are answered meanwhile.
 *
 * Each team's mark (reminder-plans.ts) says how far it is planned: the daily run plans only
 * the occurrences beyond it, and the whole horizon only for teams whose data changed since,
 * instead of offering every row of the horizon to ON CONFLICT again. Teams named in `teamIds`
 * (a re-plan after a change) are always planned in full.
 */
export async function planReminders(
  db: Kysely<Database>,
  options: { clock: Clock; horizonDays?: number; teamIds?: string[] },
): Promise<number> {
  const [added] = await planMeetings(db, [reminderPlanner(db, options)], options.teamIds);
  return added!;
}

/** Reminders as one kind of planMeetings (plan-meetings.ts), which the daily re-plan runs with check-ins and summaries. */
export function reminderPlanner(db: Kysely<Database>, options: { clock: Clock; horizonDays?: number; teamIds?: string[] }): MeetingPlanner {
  const now = options.clock.now();
  const until = DateTime.fromJSDate(now).plus({ days: options.horizonDays ?? DEFAULT_HORIZON_DAYS }).toJSDate();
  let own = new Map<string, { id: number; channels: ChannelKind[]; quiet: QuietHours }[]>();
  let added = 0;
  // Batches sized by time: on PGlite one INSERT … SELECT of 1,000 occurrences × their members
  // held the event loop for a long time (time-slices.ts).
  const sizer = new BatchSizer(100, 10, 1000);
  // Memoised: thousands of teams and people share a time, a zone and quiet hours.
  const timing = plannedTimingRule(now);
  let occurrences: PlannedOccurrence[] = [];
  /** Past for the default quiet hours, so not fanned out, but a substitute's own may hold them still. */
  let pastForDefault: OccurrenceMeant[] = [];
  let personal: PlannedDelivery[] = [];
  // One insert in flight while the next batch is computed: the database works on its own core.
  let inFlight: Promise<void> = Promise.resolve();
  const flush = async () => {
    const [o, p, past] = [occurrences, personal, pastForDefault];
    occurrences = [];
    personal = [];
    pastForDefault = [];
    await inFlight;
    const started = performance.now();
    inFlight = Promise.all([fanOut(db, o), enqueue(db, p)])
      .then(async ([a, b]) => [a, b, (await fanOutSubstitutes(db, o, now)) + (past.length ? await fanOutOwnQuietSubstitutes(db, past, now) : 0)])
      .then(([a, b, c]) => void ((added += a! + b! + c!), sizer.took(performance.now() - started, o.length)));
    // Marked as handled at once; a failure still surfaces at the next await of inFlight.
    inFlight.catch(() => undefined);
  };
  return {
    kind: 'reminders',
    window: { from: now, until },
    prepare: async () => void (own = await ownQuietHours(db, options.teamIds)),
    team: async ({ team, series }, found) => {
      const offsets = (series.reminders as string[]).map((o) => [o, parseDuration(o)!] as const);
      const ownHere = own.get(team.id) ?? [];
      for (const occurrence of found) {
        const start = occurrence.start.toJSDate();
        const keyDate = occurrenceKey(occurrence);
        for (const [offset, duration] of offsets) {
          const planned = occurrence.start.minus(duration).toJSDate();
          // A time meant already past counts only while quiet hours hold it to a time to come.
          const timed = (quiet: QuietHours) => timing(planned, start, team.timezone, quiet);
          const shared = timed(DEFAULT_QUIET_HOURS);
          const meant: OccurrenceMeant = { teamId: team.id, date: occurrence.date, keyDate, offset, meant: planned, zone: team.timezone, expiresAt: start };
          if (shared) occurrences.push({ ...meant, dueAt: shared.dueAt, earliestAt: shared.earliestAt });
          else pastForDefault.push(meant);
          const ref: ReminderRef = { type: 'reminder', teamId: team.id, date: occurrence.date, offset };
          for (const member of ownHere) {
            const mine = timed(member.quiet);
            if (!mine) continue;
            personal.push({
              key: reminderKey(team.id, keyDate, offset, member.id),
              kind: 'reminder',
              personId: member.id,
              teamId: team.id,
              channels: member.channels,
              payload: ref,
              ...mine,
              expiresAt: start,
            });
          }
        }
      }
      if (occurrences.length >= sizer.next || personal.length >= 5000) await flush();
    },
    finish: async () => {
      await flush();
      await inFlight;
      return added;
    },
  };
}

const reminderKey = (teamId: string, date: string, offset: string, personId: number) => `reminder:${teamId}:${date}:${offset}:${personId}`;

/** An occurrence's reminder as meant, before any quiet hours time it. */
type OccurrenceMeant = Omit<PlannedOccurrence, 'dueAt' | 'earliestAt'>;

interface PlannedOccurrence {
  teamId: string;
  date: string;
  /** The date, and the start too when the meeting was moved (occurrenceKey). */
  keyDate: string;
  offset: string;
  /** The time the reminder is meant for (the start minus its offset), and the team's zone: a substitute with quiet hours of their own is timed from them. */
  meant: Date;
  zone: string;
  /** Outside the default quiet hours. */
  dueAt: Date;
  expiresAt: Date;
  /** earliestSend of the due time with the default quiet hours. */
  earliestAt: Date;
}

/** Members whose quiet hours differ from the default, by team. */
async function ownQuietHours(db: Kysely<Database>, teamIds?: string[]) {
  let query = db
    .selectFrom('memberships')
    .innerJoin('people', 'people.id', 'memberships.person_id')
    .innerJoin('preferences', 'preferences.person_id', 'people.id')
    .select(['memberships.team_id', 'people.id', 'people.channels', 'preferences.quiet_from', 'preferences.quiet_to'])
    .where('memberships.removed_at', 'is', null)
    .where('people.removed_at', 'is', null)
    .where((eb) => eb.or([eb('preferences.quiet_from', '!=', DEFAULT_QUIET_HOURS.from), eb('preferences.quiet_to', '!=', DEFAULT_QUIET_HOURS.to)]));
  if (teamIds) query = query.where('memberships.team_id', 'in', teamIds);
  const byTeam = new Map<string, { id: number; channels: ChannelKind[]; quiet: QuietHours }[]>();
  for (const m of await query.execute()) {
    const list = byTeam.get(m.team_id) ?? [];
    list.push({ id: m.id, channels: m.channels as ChannelKind[], quiet: { from: m.quiet_from, to: m.quiet_to } });
    byTeam.set(m.team_id, list);
  }
  return byTeam;
}

/**
 * One reminder row per (occurrence, offset) × active member with the default quiet hours,
 * made by the database. The payload is the same ReminderRef the personal rows carry.
 */
async function fanOut(db: Kysely<Database>, rows: PlannedOccurrence[]): Promise<number> {
  if (rows.length === 0) return 0;
  const result = await sql`
    insert into deliveries (dedupe_key, kind, person_id, team_id, channels, payload, due_at, next_attempt_at, expires_at, earliest_at)
    select 'reminder:' || o.team_id || ':' || o.key_date || ':' || o.offset_text || ':' || m.person_id, 'reminder', m.person_id, o.team_id, p.channels,
      jsonb_build_object('type', 'reminder', 'teamId', o.team_id, 'date', o.date, 'offset', o.offset_text), o.due_at, o.due_at, o.expires_at, o.earliest_at
    from unnest(
      ${rows.map((r) => r.teamId)}::text[], ${rows.map((r) => r.date)}::text[], ${rows.map((r) => r.keyDate)}::text[], ${rows.map((r) => r.offset)}::text[],
      ${rows.map((r) => r.dueAt.toISOString())}::timestamptz[], ${rows.map((r) => r.expiresAt.toISOString())}::timestamptz[],
      ${rows.map((r) => r.earliestAt.toISOString())}::timestamptz[]
    ) as o(team_id, date, key_date, offset_text, due_at, expires_at, earliest_at)
    join memberships m on m.team_id = o.team_id and m.removed_at is null
    join people p on p.id = m.person_id and p.removed_at is null
    where not exists (
      select 1 from preferences q
      where q.person_id = m.person_id and (q.quiet_from <> ${DEFAULT_QUIET_HOURS.from} or q.quiet_to <> ${DEFAULT_QUIET_HOURS.to})
    )
    on conflict (dedupe_key) do nothing`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

/**
 * The same reminders for the substitutes members named for an occurrence (a "nie będę" with
 * "przyjdzie za mnie…"): answerMeeting queues them when the substitute is named; this plans
 * them again for a meeting's new time after a move (its key changes). Found by
 * meeting_answers' primary key, so a team without substitutes costs one index probe.
 */
async function fanOutSubstitutes(db: Kysely<Database>, rows: PlannedOccurrence[], now: Date): Promise<number> {
  if (rows.length === 0) return 0;
  const result = await sql`
    insert into deliveries (dedupe_key, kind, person_id, team_id, channels, payload, due_at, next_attempt_at, expires_at, earliest_at)
    select 'reminder:' || o.team_id || ':' || o.key_date || ':' || o.offset_text || ':' || a.substitute_person_id, 'reminder', a.substitute_person_id, o.team_id, p.channels,
      jsonb_build_object('type', 'reminder', 'teamId', o.team_id, 'date', o.date, 'offset', o.offset_text), o.due_at, o.due_at, o.expires_at, o.earliest_at
    from unnest(
      ${rows.map((r) => r.teamId)}::text[], ${rows.map((r) => r.date)}::text[], ${rows.map((r) => r.keyDate)}::text[], ${rows.map((r) => r.offset)}::text[],
      ${rows.map((r) => r.dueAt.toISOString())}::timestamptz[], ${rows.map((r) => r.expiresAt.toISOString())}::timestamptz[],
      ${rows.map((r) => r.earliestAt.toISOString())}::timestamptz[]
    ) as o(team_id, date, key_date, offset_text, due_at, expires_at, earliest_at)
    join meeting_answers a on a.team_id = o.team_id and a.occurrence_date = o.date and a.substitute_person_id is not null and a.answer = 'not_attending'
    join people p on p.id = a.substitute_person_id and p.removed_at is null
    -- Substitutes with quiet hours of their own are timed from them below.
    where not exists (
      select 1 from preferences q
      where q.person_id = a.substitute_person_id and (q.quiet_from <> ${DEFAULT_QUIET_HOURS.from} or q.quiet_to <> ${DEFAULT_QUIET_HOURS.to})
    )
    on conflict (dedupe_key) do nothing`.execute(db);
  return Number(result.numAffectedRows ?? 0) + (await fanOutOwnQuietSubstitutes(db, rows, now));
}

/**
 * fanOutSubstitutes' rows for substitutes with quiet hours of their own: due time and early
 * window by those hours (plannedReminderTiming, as answerMeeting's substituteReminders writes
 * them), so the row is the same whichever writes it first. Few people: one read, then enqueue.
 */
async function fanOutOwnQuietSubstitutes(db: Kysely<Database>, rows: OccurrenceMeant[], now: Date): Promise<number> {
  const { rows: subs } = await sql<{ team_id: string; date: string; person_id: number; channels: ChannelKind[]; quiet_from: number; quiet_to: number }>`
    select distinct a.team_id, a.occurrence_date as date, a.substitute_person_id as person_id, p.channels, q.quiet_from, q.quiet_to
    from unnest(${rows.map((r) => r.teamId)}::text[], ${rows.map((r) => r.date)}::text[]) as o(team_id, date)
    join meeting_answers a on a.team_id = o.team_id and a.occurrence_date = o.date and a.substitute_person_id is not null and a.answer = 'not_attending'
    join people p on p.id = a.substitute_person_id and p.removed_at is null
    join preferences q on q.person_id = a.substitute_person_id and (q.quiet_from <> ${DEFAULT_QUIET_HOURS.from} or q.quiet_to <> ${DEFAULT_QUIET_HOURS.to})`.execute(db);
  if (subs.length === 0) return 0;
  const planned: PlannedDelivery[] = [];
  for (const o of rows) {
    for (const sub of subs) {
      if (sub.team_id !== o.teamId || sub.date !== o.date) continue;
      const personId = Number(sub.person_id);
      // A time meant already past counts only while the substitute's own quiet hours hold it.
      const timing = plannedReminderTiming(o.meant, o.expiresAt, o.zone, { from: sub.quiet_from, to: sub.quiet_to }, now);
      if (!timing) continue;
      planned.push({
        key: reminderKey(o.teamId, o.keyDate, o.offset, personId),
        kind: 'reminder',
        personId,
        teamId: o.teamId,
        channels: sub.channels,
        payload: { type: 'reminder', teamId: o.teamId, date: o.date, offset: o.offset } satisfies ReminderRef,
        ...timing,
        expiresAt: o.expiresAt,
      });
    }
  }
  return enqueue(db, planned);
}

/**
 * A team's data changed: pending reminders that no longer fit are dropped, the others re-timed
 * in place, and what is missing planned. Throwing all pending ones away would lose those quiet
 * hours are holding past their time, since planning never plans what is already due.
 */
export async function replanTeam(db: Kysely<Database>, teamId: string, clock: Clock, horizonDays?: number): Promise<number> {
  await dropStaleReminders(db, teamId, clock.now());
  return planReminders(db, { clock, teamIds: [teamId], ...(horizonDays ? { horizonDays } : {}) });
}

/**
 * A person's quiet hours changed: their meeting reminders still waiting are timed again by the
 * planning rule, from the time each was meant for (or from now, if the old quiet hours held it
 * past that). In place: deleting and planning anew would lose those held past their time, since
 * planning never plans what is already due, and the activity reminders that share the kind.
 * Rows already tried keep the time their retry was given.
 */
export async function replanPerson(db: Kysely<Database>, personId: number, clock: Clock): Promise<number> {
  const now = clock.now();
  const waiting = await sql<{ id: number; expires_at: Date; offset: string; timezone: string; quiet_from: number; quiet_to: number }>`
    select d.id, d.expires_at, d.payload->>'offset' as offset, t.timezone, ${quietHoursColumns}
    from deliveries d
    join teams t on t.id = d.team_id
    left join preferences q on q.person_id = d.person_id
    where d.person_id = ${personId} and d.state = 'pending' and d.attempts = 0 and d.payload->>'type' = 'reminder'`.execute(db);
  const timing = reminderTimingRule(now);
  const retimed = waiting.rows.map((r) => {
    // A reminder expires when its meeting starts (planReminders), so the start is at hand.
    const start = DateTime.fromJSDate(new Date(r.expires_at), { zone: r.timezone });
    const meant = start.minus(parseDuration(r.offset)!).toJSDate();
    return { id: Number(r.id), ...timing(meant, start.toJSDate(), r.timezone, quietOf(r)) };
  });
  return setDueTimes(db, retimed, now);
}
