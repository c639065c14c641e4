import type { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import type { Database, ProblemReportRow } from '../db/tables.js';
import { enqueue, type PlannedDelivery } from '../delivery/outbox.js';
import { addWorkingDays } from '../domain/holidays.js';
import { reportMessages } from '../i18n/report-messages.js';
import type { ChannelKind, Message } from '../ports/channel.port.js';
import { personText } from '../ports/person-text.js';
import { REPORT_ZONE, type ReportAction } from './problem-reports.js';
import type { StaffReportRef } from './staff-report-messages.js';

export const RCPS_SLACK_CHANNEL = 'rcps_slack_channel';
export const RCPS_TEAMS_CHANNEL = 'rcps_teams_channel';

/** RCPS staff and admins who are still on the schedule. */
export async function rcpsStaff(db: Kysely<Database>, roles: ('rcps' | 'admin')[] = ['rcps', 'admin']) {
  return db
    .selectFrom('people')
    .select(['id', 'language', 'channels', 'staff_role'])
    .where('staff_role', 'in', roles)
    .where('removed_at', 'is', null)
    .orderBy('id')
    .execute();
}

export async function rcpsSlackChannel(db: Kysely<Database>): Promise<string | undefined> {
  const row = await db.selectFrom('service_settings').select('value').where('key', '=', RCPS_SLACK_CHANNEL).executeTakeFirst();
  return row?.value;
}

/** The RCPS channels set by schedule files, by platform. */
async function rcpsChannels(db: Kysely<Database>): Promise<{ channel: 'slack' | 'teams'; address: string }[]> {
  const rows = await db.selectFrom('service_settings').select(['key', 'value']).where('key', 'in', [RCPS_SLACK_CHANNEL, RCPS_TEAMS_CHANNEL]).execute();
  return rows.map((r) => ({ channel: r.key === RCPS_TEAMS_CHANNEL ? 'teams' : 'slack', address: r.value }));
}

/**
 * A new report goes at once to every RCPS person and admin and to the RCPS Slack and Teams channels, and
 * two reminders wait in the outbox: to RCPS after two working days, to admins a working day
 * later. Both are cancelled at send time if the report was acknowledged by then.
 */
export async function routeNewReport(db: Kysely<Database>, report: ProblemReportRow): Promise<void> {
  const staff = await rcpsStaff(db);
  const reportId = String(report.id);
  const planned = await toRcps(db, staff, report, `report:${report.code}:new`, (personId) => ({ type: 'problem_report', reportId, personId }), report.created_at);
  const created = DateTime.fromJSDate(report.created_at, { zone: REPORT_ZONE });
  const at = (days: number) => DateTime.fromISO(`${addWorkingDays(created.toISODate()!, days)}T${created.toFormat('HH:mm')}`, { zone: REPORT_ZONE }).toJSDate();
  for (const [stage, days] of [['rcps', 2], ['admin', 3]] as const) {
    for (const person of staff.filter((p) => p.staff_role === stage)) {
      const ref: StaffReportRef = { type: 'report_escalation', reportId, stage, personId: String(person.id) };
      planned.push({ key: `report:${report.code}:escalate-${stage}:${person.id}`, kind: 'report_escalation', personId: person.id, teamId: report.team_id, channels: person.channels as ChannelKind[], payload: ref, dueAt: at(days) });
    }
  }
  await enqueue(db, planned);
}

/** The reporter hears of every change of their report, in their language and channels. */
export async function tellReporter(
  db: Kysely<Database>,
  report: ProblemReportRow,
  eventId: number,
  action: ReportAction,
  actorName: string,
  comment: string | null,
): Promise<void> {
  if (!report.reporter_id) return;
  const reporter = await db.selectFrom('people').select(['id', 'language', 'channels']).where('id', '=', report.reporter_id).where('removed_at', 'is', null).executeTakeFirst();
  if (!reporter) return;
  const t = reportMessages[reporter.language];
  const text =
    action === 'acknowledged' ? t.acknowledgedText(report.code, actorName) : action === 'resolved' ? t.resolvedText(report.code, actorName) : t.commentedText(report.code, actorName);
  const message: Message = {
    language: reporter.language,
    title: t.changeTitle(report.code, t.state(report.state)),
    text,
    fields: comment ? [{ label: t.commentLabel, value: personText(comment) }] : [],
  };
  await enqueue(db, [
    { key: `report:${report.code}:event:${eventId}:reporter`, kind: 'report_update', personId: reporter.id, teamId: report.team_id, channels: reporter.channels as ChannelKind[], payload: message, dueAt: report.updated_at },
  ]);
}

type Staff = Awaited<ReturnType<typeof rcpsStaff>>;

/** Rows for each given RCPS person and, when set, the RCPS Slack and Teams channels: each with its own reference. */
async function toRcps(db: Kysely<Database>, staff: Staff, report: ProblemReportRow, key: string, ref: (personId: string) => StaffReportRef, dueAt: Date, withChannel = true) {
  const kind = ref('').type;
  const planned: PlannedDelivery[] = staff.map((person) => ({
    key: `${key}:${person.id}`,
    kind,
    personId: person.id,
    teamId: report.team_id,
    channels: person.channels as ChannelKind[],
    payload: ref(String(person.id)),
    dueAt,
  }));
  for (const { channel, address } of withChannel ? await rcpsChannels(db) : []) {
    // The Slack row keeps the key it always had.
    const place = channel === 'slack' ? 'rcps-channel' : `rcps-channel:${channel}`;
    planned.push({ key: `${key}:${place}`, kind, place: { address, language: 'pl' }, teamId: report.team_id, channels: [channel], payload: ref(''), dueAt });
  }
  return planned;
}

/**
 * A comment from the reporter or their team goes to the RCPS people who took the report
 * (acknowledged or resolved it); while nobody has, to everyone a new report goes to.
 */
export async function forwardComment(db: Kysely<Database>, report: ProblemReportRow, eventId: number, now: Date): Promise<void> {
  const takers = await db
    .selectFrom('report_events')
    .innerJoin('people', 'people.id', 'report_events.person_id')
    .select('people.id')
    .distinct()
    .where('report_events.report_id', '=', report.id)
    .where('report_events.action', 'in', ['acknowledged', 'resolved'])
    .where('people.staff_role', 'in', ['rcps', 'admin'])
    .where('people.removed_at', 'is', null)
    .execute();
  const ids = new Set(takers.map((p) => p.id));
  const staff = ids.size ? (await rcpsStaff(db)).filter((p) => ids.has(p.id)) : await rcpsStaff(db);
  const ref = (personId: string): StaffReportRef => ({ type: 'report_comment', reportId: String(report.id), eventId: String(eventId), personId });
  await enqueue(db, await toRcps(db, staff, report, `report:${report.code}:event:${eventId}`, ref, now, ids.size === 0));
}
