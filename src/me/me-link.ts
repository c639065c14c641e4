import { signLink, verifyLink } from '../security/signed-links.js';

/** How long a personal-page link works; chat gives a new one whenever asked. */
export const ME_LINK_DAYS = 30;

/** The signed address of a person's own page (purpose 'me'; the subject is the person id). */
export function personalPageUrl(publicUrl: string, secret: string, personId: number, now: Date): string {
  const token = signLink(secret, { purpose: 'me', subject: String(personId), expiresAt: new Date(now.getTime() + ME_LINK_DAYS * 86_400_000) });
  return `${publicUrl}/me/${token}`;
}

export type MeLinkCheck = { ok: true; personId: number } | { ok: false; status: 404 | 410 };

/** A bad or tampered link is 404, an expired one 410; either way nothing says who it was for. */
export function checkMeLink(secret: string, token: string, now: Date): MeLinkCheck {
  const verified = verifyLink(secret, token, 'me', now);
  if (!verified.ok) return { ok: false, status: verified.reason === 'expired' ? 410 : 404 };
  const personId = Number(verified.payload.subject);
  return Number.isSafeInteger(personId) && personId > 0 ? { ok: true, personId } : { ok: false, status: 404 };
}
