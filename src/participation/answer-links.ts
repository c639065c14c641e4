import { signLink, verifyLink } from '../security/signed-links.js';

/** What an e-mail answer link stands for: "będę", "nie będę", or "przyjdzie za mnie…" (a form). */
export type LinkAnswer = 'attending' | 'not_attending' | 'substitute';
const LINK_ANSWERS = new Set<string>(['attending', 'not_attending', 'substitute']);

/**
 * The signed address of one person's answer to one occurrence (purpose 'meeting-answer', the
 * person as subject). It works until the meeting starts, as answers do. Made for each row it is
 * sent with: never rendered once for several people (src/delivery/render-delivery.ts).
 */
export function meetingAnswerUrl(publicUrl: string, secret: string, personId: number, teamId: string, date: string, answer: LinkAnswer, until: Date): string {
  const token = signLink(secret, { purpose: 'meeting-answer', subject: String(personId), expiresAt: until, t: teamId, d: date, a: answer });
  return `${publicUrl.replace(/\/+$/, '')}/meeting-answer/${token}`;
}

export type AnswerLinkCheck = { ok: true; personId: number; teamId: string; date: string; answer: LinkAnswer } | { ok: false; status: 404 | 410 };

/** A forged or tampered link is 404, an expired one 410 (the meeting has begun). */
export function checkAnswerLink(secret: string, token: string, now: Date): AnswerLinkCheck {
  const verified = verifyLink(secret, token, 'meeting-answer', now);
  if (!verified.ok) return { ok: false, status: verified.reason === 'expired' ? 410 : 404 };
  const { subject, t, d, a } = verified.payload as Record<string, unknown>;
  const personId = Number(subject);
  if (!Number.isSafeInteger(personId) || personId <= 0 || typeof t !== 'string' || typeof d !== 'string' || typeof a !== 'string' || !LINK_ANSWERS.has(a)) {
    return { ok: false, status: 404 };
  }
  return { ok: true, personId, teamId: t, date: d, answer: a as LinkAnswer };
}
