import { signLink, verifyLink } from '../security/signed-links.js';

/** How long the delivery report page link works. */
export const DELIVERY_REPORT_LINK_DAYS = 30;

/** The signed address of one announcement's delivery report for its author (purpose 'announcement-report'). */
export function deliveryReportUrl(publicUrl: string, secret: string, authorId: number, announcementId: number, now: Date): string {
  const expiresAt = new Date(now.getTime() + DELIVERY_REPORT_LINK_DAYS * 86_400_000);
  const token = signLink(secret, { purpose: 'announcement-report', subject: String(authorId), expiresAt, announcement: String(announcementId) });
  return `${publicUrl.replace(/\/+$/, '')}/announcements/${token}/report`;
}

export type DeliveryReportLinkCheck = { ok: true; personId: number; announcementId: number } | { ok: false; status: 404 | 410 };

/** A forged link or one made for another page is 404, an expired one 410. */
export function checkDeliveryReportLink(secret: string, token: string, now: Date): DeliveryReportLinkCheck {
  const verified = verifyLink(secret, token, 'announcement-report', now);
  if (!verified.ok) return { ok: false, status: verified.reason === 'expired' ? 410 : 404 };
  const personId = Number(verified.payload.subject);
  const announcementId = Number(verified.payload.announcement);
  return Number.isSafeInteger(personId) && personId > 0 && Number.isSafeInteger(announcementId) && announcementId > 0
    ? { ok: true, personId, announcementId }
    : { ok: false, status: 404 };
}
