import type { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import type { Database, DeliveryRow, ProblemReportRow } from '../db/tables.js';
import { erasedNamesIn } from '../i18n/erased-person.js';
import { formatDateTime } from '../i18n/format.js';
import type { Language } from '../i18n/messages.js';
import { reportMessages } from '../i18n/report-messages.js';
import type { Message } from '../ports/channel.port.js';
import { personText } from '../ports/person-text.js';
import { REPORT_ZONE } from './problem-reports.js';

/**
 * What the outbox holds for RCPS about a report: references only, rendered when sent, so a
 * message shows the report as it is then and the outbox keeps no copy of the reporter's data.
 * `personId` names the RCPS person the row is for ('' for the RCPS Slack channel): their own
 * signed link to the report page goes in, and no two people share one rendering.
 */
export type StaffReportRef =
  | { [key: string]: string; type: 'problem_report'; reportId: string; personId: string }
  | { [key: string]: string; type: 'report_comment'; reportId: string; eventId: string; personId: string }
  /** Rows planned before report pages existed carry no personId: they are sent without a page link. */
  | { [key: string]: string; type: 'report_escalation'; reportId: string; stage: 'rcps' | 'admin' };

export const STAFF_REPORT_TYPES = new Set(['problem_report', 'report_comment', 'report_escalation']);

/** Signs a person's link to a report's page; absent when the service has no secret (tests, CLI). */
export type ReportPageLink = (personId: number, code: string) => string;

/** The report as RCPS sees it, with audit and urgency marked in the title, the two buttons and the page link. */
export async function reportMessage(db: Kysely<Database>, report: ProblemReportRow, language: Language, pageUrl?: string): Promise<Message> {
  const t = reportMessages[language];
  const team = await db.selectFrom('teams').select('name').where('id', '=', report.team_id).executeTakeFirst();
  const reporter = report.reporter_id
    ? await db.selectFrom('people').select(['name', 'email', 'institution']).where('id', '=', report.reporter_id).executeTakeFirst()
    : undefined;
  const marks = (report.category === 'audit' ? t.markAudit : '') + (report.urgency === 'urgent' ? t.markUrgent : '');
  const who = reporter ? `${reporter.name} <${reporter.email}>${reporter.institution ? `, ${reporter.institution}` : ''}` : t.deletedPerson;
  const links = [...(pageUrl ? [{ label: t.openReportLabel, url: pageUrl }] : []), ...(report.link ? [{ label: report.link, url: report.link }] : [])];
  return {
    language,
    title: t.newReportTitle(report.code, team?.name ?? report.team_id, marks),
    text: `${t.newReportText(personText(erasedNamesIn(report.description, language)))}\n\n${t.commandHint(report.code)}`,
    fields: [
      { label: t.fieldCategory, value: t.category(report.category) },
      { label: t.fieldUrgency, value: report.urgency === 'urgent' ? t.urgent : t.normal },
      { label: t.fieldTeam, value: team?.name ?? report.team_id },
      { label: t.fieldReporter, value: who },
      { label: t.fieldCreated, value: formatDateTime(DateTime.fromJSDate(report.created_at, { zone: REPORT_ZONE }), language) },
      { label: t.fieldState, value: t.state(report.state) },
    ],
    actions:
      report.state === 'resolved'
        ? []
        : [
            ...(report.state === 'new' ? [{ id: 'report:ack', value: report.code, label: t.ackLabel, style: 'primary' as const }] : []),
            { id: 'report:resolve', value: report.code, label: t.resolveLabel },
          ],
    ...(links.length ? { links } : {}),
    ...(pageUrl ? { fullView: pageUrl } : {}),
  };
}

/** A new report, a reminder that nobody took it, or a member's comment; undefined once it no longer matters. */
export async function renderStaffReport(db: Kysely<Database>, row: DeliveryRow, ref: StaffReportRef, language: Language, pageLink?: ReportPageLink): Promise<Message | undefined> {
  const report = await db.selectFrom('problem_reports').selectAll().where('id', '=', Number(ref.reportId)).executeTakeFirst();
  if (!report) return undefined;
  const t = reportMessages[language];
  const ownRow = row.person_id !== null && ref.personId === String(row.person_id);
  const message = await reportMessage(db, report, language, ownRow && pageLink ? pageLink(row.person_id!, report.code) : undefined);
  if (ref.type === 'problem_report') return message;
  if (ref.type === 'report_escalation') {
    // Cancelled at send time once someone acknowledged or resolved the report.
    if (report.state !== 'new') return undefined;
    const lead = ref.stage === 'rcps' ? t.escalationText(report.code, 2) : t.escalationAdminText(report.code);
    return { ...message, title: t.escalationTitle(report.code), text: `${lead}\n\n${message.text}` };
  }
  const event = await db
    .selectFrom('report_events')
    .leftJoin('people', 'people.id', 'report_events.person_id')
    .select(['report_events.comment', 'people.name'])
    .where('report_events.id', '=', Number(ref.eventId))
    .executeTakeFirst();
  if (!event?.comment) return undefined;
  const team = await db.selectFrom('teams').select('name').where('id', '=', report.team_id).executeTakeFirst();
  return {
    ...message,
    title: t.memberCommentTitle(report.code, team?.name ?? report.team_id),
    text: `${t.commentedText(report.code, event.name ?? t.deletedPerson)}\n\n${t.commandHint(report.code)}`,
    fields: [{ label: t.commentLabel, value: personText(erasedNamesIn(event.comment, language)) }, ...message.fields!],
  };
}
