import type { Kysely } from 'kysely';
import { personText } from '../ports/person-text.js';
import { preview } from '../domain/preview.js';
import { DateTime } from 'luxon';
import type { Clock } from '../clock.js';
import type { Database, DeliveryRow } from '../db/tables.js';
import { enqueue, type PlannedDelivery } from '../delivery/outbox.js';
import { takesPlace, type MeetingSeries, type Occurrence } from '../domain/occurrences.js';
import { occurrencesIn } from '../reminders/occurrence-window.js';
import { loadTeams } from '../feeds/feed-data.js';
import { checkinMessages } from '../i18n/checkin-messages.js';
import { formatDate } from '../i18n/format.js';
import type { Language } from '../i18n/messages.js';
import type { ChannelKind, Message, MessageItem } from '../ports/channel.port.js';
import { REPORT_ZONE } from './problem-reports.js';
import { rcpsStaff } from './report-routing.js';
import { TimeSlicer } from '../time-slices.js';

/** A digest row names its Monday; the content is gathered when it is sent. */
export interface DigestRef {
  [key: string]: string;
  type: 'digest';
  week: string;
}

const SILENT_DAYS = 30;

/**
 * Each team's occurrences in a digest's week, by the week and the series they come from: every
 * RCPS person's digest of a week shows the same meetings, and expanding 2,857 series (rrule, in
 * the team's zone) for each of 17 people took 4.5 s of CPU on the national week's Monday
 * morning, making the 08:00 reminders 10 s late. Keyed by the data itself, so a series or an
 * exception changed since is a new key, never a stale answer; bounded, started again when full.
 */
const weekOccurrences = new Map<string, Map<string, Occurrence[]>>();
const MAX_KEPT = 20_000;
/**
 * Only the weeks last asked for: a week's digests are all rendered on its Monday (retries and an
 * overdue week's at most alongside the next), and each week of 2,857 teams holds ~7 MB. Kept
 * until 20,000 entries, seven past weeks (~48 MB) stayed on the heap for good.
 */
const WEEKS_KEPT = 2;

function occurrencesOfWeek(series: MeetingSeries, from: Date, to: Date): Occurrence[] {
  const week = `${from.toISOString()} ${to.toISOString()}`;
  let kept = weekOccurrences.get(week);
  if (!kept) {
    weekOccurrences.set(week, (kept = new Map()));
    for (const old of weekOccurrences.keys()) if (weekOccurrences.size > WEEKS_KEPT) weekOccurrences.delete(old);
  }
  const key = JSON.stringify(series);
  let found = kept.get(key);
  if (!found) {
    if (kept.size >= MAX_KEPT) kept.clear();
    found = occurrencesIn(series, from, to);
    kept.set(key, found);
  }
  return found;
}

/** Monday 08:00 Europe/Warsaw of the week of `date`, as an instant. */
export function digestInstant(monday: string): Date {
  return DateTime.fromISO(`${monday}T08:00`, { zone: REPORT_ZONE }).toJSDate();
}

/** The digests of the next two Mondays for every RCPS person and admin; one key per week and person. */
export async function planDigests(db: Kysely<Database>, clock: Clock): Promise<number> {
  const now = DateTime.fromJSDate(clock.now(), { zone: REPORT_ZONE });
  const staff = await rcpsStaff(db);
  const planned: PlannedDelivery[] = [];
  for (let week = 0; week < 3; week++) {
    const monday = now.startOf('week').plus({ weeks: week }).toISODate()!;
    const at = digestInstant(monday);
    if (at.getTime() < now.toMillis()) continue;
    const ref: DigestRef = { type: 'digest', week: monday };
    for (const person of staff) {
      planned.push({ key: `digest:${monday}:${person.id}`, kind: 'digest', personId: person.id, channels: person.channels as ChannelKind[], payload: ref, dueAt: at });
    }
  }
  return enqueue(db, planned);
}

/** Per team: updates since the last digest, meetings held or cancelled, open reports, silence over a month. */
export async function renderDigest(db: Kysely<Database>, _row: DeliveryRow, ref: DigestRef, language: Language): Promise<Message> {
  const t = checkinMessages[language];
  const to = digestInstant(ref.week);
  const from = digestInstant(DateTime.fromISO(ref.week).minus({ weeks: 1 }).toISODate()!);
  const silentSince = DateTime.fromJSDate(to).minus({ days: SILENT_DAYS }).toJSDate();
  const teams = await loadTeams(db);
  const { updates, last, open } = await digestFacts(db, from, to);
  const items: MessageItem[] = [];
  // Thousands of teams: pause every few milliseconds of work so requests are answered meanwhile.
  const slicer = new TimeSlicer();
  for (const { team, meetings } of teams) {
    await slicer.tick();
    const ofTeam = updates.get(team.id) ?? [];
    const lastAt = last.get(team.id);
    const openCodes = open.get(team.id) ?? [];
    // By the time each took place: a meeting moved (or shifted by a holiday) into another week
    // is held in that one, not in the week of its rule date (occurrencesIn finds those moved in).
    const occurrences = occurrencesOfWeek(meetings, from, to);
    const day = (d: DateTime) => formatDate(d.setZone(team.timezone), language);
    const inWeek = (o: Occurrence) => o.start.toMillis() >= from.getTime() && o.start.toMillis() < to.getTime();
    const held = occurrences.filter((o) => takesPlace(o) && inWeek(o)).sort((a, b) => a.start.toMillis() - b.start.toMillis()).map((o) => day(o.start));
    const cancelled = occurrences.filter((o) => !takesPlace(o)).map((o) => day(o.originalStart));
    const lines = [t.updates(ofTeam.length)];
    if (ofTeam[0]) lines.push(t.latest(preview(personText(ofTeam[0].done), 200)));
    if (held.length) lines.push(t.held(held.join(', ')));
    if (cancelled.length) lines.push(t.cancelled(cancelled.join(', ')));
    if (!held.length && !cancelled.length) lines.push(t.noMeetings);
    lines.push(openCodes.length ? `${t.open(openCodes.length)}: ${openCodes.join(', ')}` : t.open(0));
    if (!lastAt || lastAt < silentSince) lines.push(t.silent(lastAt ? day(DateTime.fromJSDate(lastAt)) : t.never));
    items.push({ title: team.name, lines });
  }
  return { language, title: t.digestTitle(formatDate(DateTime.fromJSDate(from, { zone: REPORT_ZONE }), language)), text: t.digestText(teams.length), items };
}

/**
 * What the digest says of every team, in three statements for all of them: the week's status
 * updates (newest first), each team's latest update before the week's end, and its open reports.
 * Three statements per team made one digest of 2,857 teams 8,600 statements, for each person.
 */
async function digestFacts(db: Kysely<Database>, from: Date, to: Date) {
  const updates = new Map<string, { done: string }[]>();
  // Two updates with the same time: the one written later (the higher id) is the latest, on every database and every run.
  const weekRows = await db
    .selectFrom('status_updates')
    .select(['team_id', 'done'])
    .where('created_at', '>=', from)
    .where('created_at', '<', to)
    .orderBy('team_id')
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  for (const u of weekRows) {
    const list = updates.get(u.team_id);
    if (list) list.push(u);
    else updates.set(u.team_id, [u]);
  }
  const lastRows = await db.selectFrom('status_updates').select(['team_id', (eb) => eb.fn.max('created_at').as('created_at')]).where('created_at', '<', to).groupBy('team_id').execute();
  const last = new Map(lastRows.map((r) => [r.team_id, new Date(r.created_at as Date)]));
  const open = new Map<string, string[]>();
  const openRows = await db.selectFrom('problem_reports').select(['team_id', 'code']).where('state', '!=', 'resolved').orderBy('id').execute();
  for (const r of openRows) {
    if (!r.team_id) continue;
    const list = open.get(r.team_id);
    if (list) list.push(r.code);
    else open.set(r.team_id, [r.code]);
  }
  return { updates, last, open };
}
