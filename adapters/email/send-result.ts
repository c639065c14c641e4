import type { SendResult } from '../../src/ports/channel.port.js';

interface MailError {
  code?: string;
  errno?: string | number;
  responseCode?: number;
  response?: string;
  message?: string;
}

// Nodemailer codes that say the message itself can never go, whatever we retry.
const PERMANENT_CODES = new Set(['EENVELOPE', 'EMESSAGE', 'EMAXRECIPIENTS', 'EOTP', 'EFILEACCESS', 'EURLACCESS', 'ECONFIG']);
// The settings are wrong, not the mail: keep it for when the operator fixes SMTP_URL.
const SETTINGS_CODES = new Set(['EAUTH', 'ENOAUTH', 'ETLS', 'EREQUIRETLS']);

// RFC 3463 enhanced codes it calls "persistent transient": X.2.2 mailbox full, X.3.1 mail
// system full, X.4.5 congestion (also what Gmail and others answer for a sending quota,
// `550 5.4.5 Daily user sending quota exceeded`). The quota resets; the mailbox is emptied.
const TRANSIENT_ENHANCED = /^\s*5\.(2\.2|3\.1|4\.5)\b/;

// A relay refusing for pace: 421 (too many connections, or closing for now) or a 4xx whose own
// words, after the reply code and the enhanced code and with any <address> it echoes taken out,
// say so in one of these phrases (`451 4.7.1 Rate limit exceeded`, `452 4.5.3 Too many
// messages this minute`, Exchange's `4.7.0 Too many connections`). A bare "limit" or "rate"
// is not enough: `452 4.2.2 Mailbox size limit exceeded` is a full mailbox, and a recipient
// such as <rate@example.org> is no pace at all. Not greylisting (`451 4.7.1 Greylisted`),
// which wants minutes, not a slower pace. A refusal for pace uses no attempt while it lasts,
// so a misread reply costs a bounded wait (docs/delivery-engine.md "Pacing").
const PACE_REFUSAL =
  /\b(rate[- ]limit(ed|ing)?|rate exceeded|sending rate|too many (connections|messages|mails|emails|recipients|requests|sessions|concurrent)|too fast|throttl(ed|ing)|slow down)\b/i;
// X.2.2 is RFC 3463's "mailbox full": the person's mailbox, never our pace.
const MAILBOX_FULL = /^[245]\.2\.2$/;

/** The reply's own words: without the 3-digit code, the enhanced code and echoed addresses. */
function replyText(reply: string): { enhanced?: string; text: string } {
  const rest = reply.replace(/^\d{3}[ -]?/, '').trim();
  const enhanced = /^([245]\.\d{1,3}\.\d{1,3})\b/.exec(rest)?.[1];
  const text = (enhanced ? rest.slice(enhanced.length) : rest).replace(/<[^>]*>/g, ' ').replace(/\S+@\S+/g, ' ');
  return { ...(enhanced ? { enhanced } : {}), text };
}

function isPaceRefusal(responseCode: number, reply: string): boolean {
  if (responseCode === 421) return true;
  if (responseCode >= 500) return false;
  const { enhanced, text } = replyText(reply);
  if (enhanced && MAILBOX_FULL.test(enhanced)) return false;
  return PACE_REFUSAL.test(text);
}

/**
 * A nodemailer failure as a SendResult. RFC 5321: 4yz replies are transient, 5yz permanent,
 * except 503 (bad sequence of commands), which is about the session, not the message — the
 * same rule as nodemailer's own `isPermanentResponseCode` — and 5yz replies whose enhanced
 * code says the failure passes (above). Connection trouble (refused, reset, timed out) is
 * temporary; a failed login is temporary too and a settings problem: the mail may go once
 * SMTP_URL is fixed, and the operators are told.
 */
export function toSendResult(error: unknown): SendResult & { ok: false } {
  const e = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as MailError;
  const code = typeof e.code === 'string' ? e.code : undefined;
  const detail = oneLine(e.response || e.message || 'unknown error');

  if (code && SETTINGS_CODES.has(code)) {
    return { ok: false, permanent: false, settings: true, reason: `SMTP ${code === 'ETLS' || code === 'EREQUIRETLS' ? 'TLS' : 'login'} failed, check SMTP_URL: ${detail}` };
  }
  if (typeof e.responseCode === 'number' && e.responseCode >= 400 && e.responseCode < 600) {
    const reason = detail.startsWith(String(e.responseCode)) ? detail : `${e.responseCode} ${detail}`;
    const passing = TRANSIENT_ENHANCED.test(reason.replace(/^\d{3}[ -]/, ''));
    const permanent = e.responseCode >= 500 && e.responseCode !== 503 && !passing;
    const pace = isPaceRefusal(e.responseCode, reason);
    return { ok: false, permanent, ...(pace ? { rateLimited: true as const, refusal: String(e.responseCode) } : {}), reason };
  }
  if (code && PERMANENT_CODES.has(code)) return { ok: false, permanent: true, reason: `${code}: ${detail}` };
  // ECONNECTION, ESOCKET, ETIMEDOUT, EDNS, EPROXY, ECONNREFUSED… and anything unforeseen:
  // retried a bounded number of times by the dispatcher rather than lost at once.
  return { ok: false, permanent: false, reason: code ? `${code}: ${detail}` : detail };
}

const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim().slice(0, 500);
