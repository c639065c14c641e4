import { signLink, verifyLink } from '../security/signed-links.js';

/** How long the answers page link works; every later `warsztaty` answer brings a fresh one. */
export const ANSWERS_LINK_DAYS = 30;

/** The signed address of the RCPS answers page for one RCPS person (purpose 'activity-answers'). */
export function answersPageUrl(publicUrl: string, secret: string, personId: number, now: Date): string {
  const token = signLink(secret, { purpose: 'activity-answers', subject: String(personId), expiresAt: new Date(now.getTime() + ANSWERS_LINK_DAYS * 86_400_000) });
  return `${publicUrl.replace(/\/+$/, '')}/activities/${token}`;
}

export type AnswersLinkCheck = { ok: true; personId: number } | { ok: false; status: 404 | 410 };

/** A forged link or one made for another page is 404, an expired one 410; neither says whose it was. */
export function checkAnswersLink(secret: string, token: string, now: Date): AnswersLinkCheck {
  const verified = verifyLink(secret, token, 'activity-answers', now);
  if (!verified.ok) return { ok: false, status: verified.reason === 'expired' ? 410 : 404 };
  const personId = Number(verified.payload.subject);
  return Number.isSafeInteger(personId) && personId > 0 ? { ok: true, personId } : { ok: false, status: 404 };
}
