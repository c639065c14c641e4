import { signLink, verifyLink } from '../security/signed-links.js';

/** How long a report page link works; every later message about the report brings a fresh one. */
export const REPORT_LINK_DAYS = 30;

/**
 * The signed address of one report's page for one RCPS person (purpose 'report'): the person is
 * the subject, so what they do there is recorded under their name.
 */
export function reportPageUrl(publicUrl: string, secret: string, personId: number, code: string, now: Date): string {
  const token = signLink(secret, { purpose: 'report', subject: String(personId), expiresAt: new Date(now.getTime() + REPORT_LINK_DAYS * 86_400_000), code });
  return `${publicUrl.replace(/\/+$/, '')}/reports/${token}`;
}

export type ReportLinkCheck = { ok: true; personId: number; code: string } | { ok: false; status: 404 | 410 };

/** A forged or tampered link is 404, an expired one 410; neither says whom or what it was for. */
export function checkReportLink(secret: string, token: string, now: Date): ReportLinkCheck {
  const verified = verifyLink(secret, token, 'report', now);
  if (!verified.ok) return { ok: false, status: verified.reason === 'expired' ? 410 : 404 };
  const personId = Number(verified.payload.subject);
  const code = verified.payload.code;
  return Number.isSafeInteger(personId) && personId > 0 && typeof code === 'string' ? { ok: true, personId, code } : { ok: false, status: 404 };
}
