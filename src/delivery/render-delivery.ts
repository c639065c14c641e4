import type { Kysely } from 'kysely';
import type { Database, DeliveryRow } from '../db/tables.js';
import type { Language } from '../i18n/messages.js';
import type { Message } from '../ports/channel.port.js';
import { RenderBatch } from './batch-context.js';
import { renderChangeNotice } from '../reminders/change-message.js';
import { renderReminder } from '../reminders/reminder-message.js';
import { renderStaffReport, STAFF_REPORT_TYPES, type StaffReportRef } from '../reports/staff-report-messages.js';
import { reportPageUrl } from '../reports/report-links.js';
import { renderCheckin, type CheckinRef } from '../reports/checkins.js';
import { renderDigest, type DigestRef } from '../reports/digest.js';
import { renderInvitation, type InvitationDeps } from '../invitations/invitation-message.js';
import { INVITATION_TYPES } from '../invitations/invitation-batch.js';
import { renderAnnouncement, renderAnnouncementReport } from '../announcements/announcement-message.js';
import { deliveryReportUrl } from '../announcements/report-page-links.js';
import { renderConfirmation } from '../me/confirmations.js';
import { renderSelfCheckin, type SelfCheckinRef } from '../participation/activity-presence-links.js';
import { renderCertificateMessage } from '../participation/certificates.js';
import { personalReminder } from '../participation/reminder-answers.js';
import { renderSummary } from '../participation/summary-plans.js';

/**
 * Kinds whose message holds nothing bound to one person, so one rendering may serve every
 * member it goes to (the dispatcher renders every other row for its own person; an e-mail's
 * signed links are added per row after rendering, deliver-row.ts). Only the RCPS digest: the
 * week of every team, the same for each RCPS person in their language. A meeting reminder
 * carries the person's own answer and, in e-mail, links signed for them ("Będę" / "Nie
 * będę"), so only its shared part (team, time, place, coordinators) is rendered once per
 * batch and payload (src/participation/reminder-answers.ts), the rest per row.
 */
const SHAREABLE_TYPES: ReadonlySet<string> = new Set<string>(['digest']);

export const shareableRendering = (row: DeliveryRow): boolean => SHAREABLE_TYPES.has((row.payload as { type?: string }).type ?? '');

/** One place that knows every kind of reference a delivery may carry; anything else is a ready Message. */
export function deliveryRenderer(
  db: Kysely<Database>,
  publicUrl: string,
  appSecret?: string,
  invitations?: InvitationDeps,
): (row: DeliveryRow, language: Language, batch?: RenderBatch) => Promise<Message | undefined> {
  return async (row, language, batch = new RenderBatch([row])) => {
    const type = (row.payload as { type?: string }).type;
    if (type === 'reminder') {
      return personalReminder(db, row, language, batch, () => renderReminder(db, row, language, publicUrl, batch), { publicUrl, ...(appSecret ? { secret: appSecret } : {}) });
    }
    if (type === 'attendance_summary') return renderSummary(db, row, language, publicUrl, appSecret, batch);
    if (type === 'meeting_change') return renderChangeNotice(db, row, language, publicUrl);
    if (type && STAFF_REPORT_TYPES.has(type)) {
      // The page link of an RCPS person's copy, valid from when the message is due.
      const pageLink = appSecret ? (personId: number, code: string) => reportPageUrl(publicUrl, appSecret, personId, code, row.due_at) : undefined;
      return renderStaffReport(db, row, row.payload as StaffReportRef, language, pageLink);
    }
    if (type === 'checkin') return renderCheckin(db, row, row.payload as CheckinRef, language, appSecret, publicUrl, batch);
    if (type === 'digest') return renderDigest(db, row, row.payload as DigestRef, language);
    if (invitations && INVITATION_TYPES.has(type ?? '')) return renderInvitation(db, row, language, publicUrl, invitations, batch);
    if (type === 'announcement') return renderAnnouncement(db, row, language);
    if (type === 'announcement_report') {
      // The author's page with the whole report, valid from when the report is due.
      const reportUrl = appSecret ? (authorId: number, id: number) => deliveryReportUrl(publicUrl, appSecret, authorId, id, row.due_at) : undefined;
      return renderAnnouncementReport(db, row, language, reportUrl);
    }
    if (type === 'personal_link') return renderConfirmation(db, row, language, publicUrl, appSecret);
    if (type === 'self_checkin') return renderSelfCheckin(db, row, row.payload as SelfCheckinRef, language, publicUrl, appSecret);
    if (type === 'certificate') return renderCertificateMessage(db, row, language, publicUrl, appSecret);
    return row.payload as Message;
  };
}
