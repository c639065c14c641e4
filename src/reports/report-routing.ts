import type { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import type { Database, ProblemReportRow } from '../db/tables.js';
import { enqueue, type PlannedDelivery } from '../delivery/outbox.js';
import { addWorkingDays } from '../domain/holidays.js';
import { formatDateTime } from '../i18n/format.js';
import type { Language } from '../i18n/messages.js';
import { reportMessages } from '../i18n/report-messages.js';
import type { ChannelKind, Message } from '../ports/channel.port.js';
import { REPORT_ZONE, type ReportAction } from './problem-reports.js';

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

/** The report as RCPS sees it, with audit and urgency marked in the title and the two buttons. */
export async function reportMessage(db: Kysely<Database>, report: ProblemReportRow, language: Language): Promise<Message> {
  const t = reportMessages[language];
  const team = await db.selectFrom('teams').select('name').where('id', '=', report.team_id).executeTakeFirst();
  const reporter = report.reporter_id
    ? await db.selectFrom('people').select(['name', 'email', 'institution']).where('id', '=', report.reporter_id).executeTakeFirst()
    : undefined;
  const marks = (report.category === 'audit' ? t.markAudit : '') + (report.urgency === 'urgent' ? t.markUrgent : '');
  const who = reporter ? `${reporter.name} <${reporter.email}>${reporter.institution ? `, ${reporter.institution}` : ''}` : t.deletedPerson;
  return {
    language,
    title: t.newReportTitle(report.code, team?.name ?? report.team_id, marks),
    text: `${t.newReportText(report.description)}\n\n${t.commandHint(report.code)}`,
    fields: [
      { label: t.fieldCategory, value: t.category(report.category) },
      { label: t.fieldUrgency, value: report.urgency === 'urgent' ? t.urgent : t.normal },
      { label: t.fieldTeam, value: team?.name ?? report.team_id },
      { label: t.fieldReporter, value: who },
      { label: t.fieldCreated, value: formatDateTime(DateTime.fromJSDate(report.created_at, { zone: REPORT_ZONE }), language) },
      { label: t.fieldState, value: t.state(report.state) },
    ],
    actions: [
      { id: 'report:ack', value: report.code, label: t.ackLabel, style: 'primary' },
      { id: 'report:resolve', value: report.code, label: t.resolveLabel },
    ],
    ...(report.link ? { links: [{ label: report.link, url: report.link }] } : {}),
  };
}

/** What an escalation row carries; rendered at send time so an acknowledged report is not chased. */
export interface EscalationRef {
  [key: string]: string;
  type: 'report_escalation';
  reportId: string;
  stage: 'rcps' | 'admin';
}

/**
 * A new report goes at once to every RCPS person and admin and to the RCPS Slack and Teams channels, and
 * two reminders wait in the outbox: to RCPS after two working days, to admins a working day
 * later. Both are cancelled at send time if the report was acknowledged by then.
 */
export async function routeNewReport(db: Kysely<Database>, report: ProblemReportRow): Promise<void> {
  const staff = await rcpsStaff(db);
  const planned: PlannedDelivery[] = [];
  for (const person of staff) {
    planned.push({
      key: `report:${report.code}:new:${person.id}`,
      kind: 'problem_report',
      personId: person.id,
      teamId: report.team_id,
      channels: person.channels as ChannelKind[],
      payload: await reportMessage(db, report, person.language),
      dueAt: report.created_at,
    });
  }
  for (const { channel, address } of await rcpsChannels(db)) {
    planned.push({
      // The Slack row keeps the key it always had.
      key: `report:${report.code}:new:rcps-channel${channel === 'slack' ? '' : `:${channel}`}`,
      kind: 'problem_report',
      place: { address, language: 'pl' },
      teamId: report.team_id,
      channels: [channel],
      payload: await reportMessage(db, report, 'pl'),
      dueAt: report.created_at,
    });
  }
  const created = DateTime.fromJSDate(report.created_at, { zone: REPORT_ZONE });
  const at = (days: number) => DateTime.fromISO(`${addWorkingDays(created.toISODate()!, days)}T${created.toFormat('HH:mm')}`, { zone: REPORT_ZONE }).toJSDate();
  for (const [stage, days] of [['rcps', 2], ['admin', 3]] as const) {
    for (const person of staff.filter((p) => p.staff_role === stage)) {
      const ref: EscalationRef = { type: 'report_escalation', reportId: String(report.id), stage };
      planned.push({ key: `report:${report.code}:escalate-${stage}:${person.id}`, kind: 'report_escalation', personId: person.id, teamId: report.team_id, channels: person.channels as ChannelKind[], payload: ref, dueAt: at(days) });
    }
  }
  await enqueue(db, planned);
}

/** The escalation as it is when due; undefined (cancelled) once the report was acknowledged or resolved. */
export async function renderEscalation(db: Kysely<Database>, ref: EscalationRef, language: Language): Promise<Message | undefined> {
  const report = await db.selectFrom('problem_reports').selectAll().where('id', '=', Number(ref.reportId)).executeTakeFirst();
  if (!report || report.state !== 'new') return undefined;
  const t = reportMessages[language];
  const message = await reportMessage(db, report, language);
  const lead = ref.stage === 'rcps' ? t.escalationText(report.code, 2) : t.escalationAdminText(report.code);
  return { ...message, title: t.escalationTitle(report.code), text: `${lead}\n\n${message.text}` };
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
    fields: comment ? [{ label: t.commentLabel, value: comment }] : [],
  };
  await enqueue(db, [
    { key: `report:${report.code}:event:${eventId}:reporter`, kind: 'report_update', personId: reporter.id, teamId: report.team_id, channels: reporter.channels as ChannelKind[], payload: message, dueAt: report.updated_at },
  ]);
}
