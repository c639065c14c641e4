import { signLink, verifyLink } from '../security/signed-links.js';

/** How long the download link in a certificate message works; `zaświadczenie` sends a fresh one. */
export const CERTIFICATE_LINK_DAYS = 30;

/**
 * The verification link printed on a certificate (and in its QR code) must outlive any
 * retention of the paper: it is signed with a far expiry and checked against the record, so a
 * certificate whose record is gone (the person erased) stops verifying.
 */
const VERIFY_UNTIL = new Date('2100-01-01T00:00:00Z');

const base = (publicUrl: string) => publicUrl.replace(/\/+$/, '');

/** The public verification page of a certificate, by its number (purpose 'certificate'). */
export function certificateVerifyUrl(publicUrl: string, secret: string, number: string): string {
  return `${base(publicUrl)}/certificates/${signLink(secret, { purpose: 'certificate', subject: number, expiresAt: VERIFY_UNTIL })}`;
}

/** The number a verification token stands for, or undefined for a forged or altered one. */
export function checkCertificateVerify(secret: string, token: string, now: Date): string | undefined {
  const verified = verifyLink(secret, token, 'certificate', now);
  return verified.ok ? verified.payload.subject : undefined;
}

/** The person's own download link of one certificate (purpose 'certificate-pdf'), valid 30 days from `from`. */
export function certificateDownloadUrl(publicUrl: string, secret: string, personId: number, certificateId: number, from: Date): string {
  const token = signLink(secret, {
    purpose: 'certificate-pdf',
    subject: String(personId),
    expiresAt: new Date(from.getTime() + CERTIFICATE_LINK_DAYS * 86_400_000),
    c: String(certificateId),
  });
  return `${base(publicUrl)}/certificates/${token}.pdf`;
}

export type DownloadCheck = { ok: true; personId: number; certificateId: number } | { ok: false; status: 404 | 410 };

export function checkCertificateDownload(secret: string, token: string, now: Date): DownloadCheck {
  const verified = verifyLink(secret, token, 'certificate-pdf', now);
  if (!verified.ok) return { ok: false, status: verified.reason === 'expired' ? 410 : 404 };
  const personId = Number(verified.payload.subject);
  const certificateId = Number(verified.payload.c);
  if (!Number.isSafeInteger(personId) || personId <= 0 || !Number.isSafeInteger(certificateId) || certificateId <= 0) return { ok: false, status: 404 };
  return { ok: true, personId, certificateId };
}
