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

// A relay refusing for pace: 421 (too many connections, or closing for now) or a 4xx that
// names a rate or "too many" (`451 4.7.1 Rate limit exceeded`, Postfix's `452 4.5.3 Too many
// recipients`, Exchange's `4.7.0 Too many connections`). Not greylisting (`451 4.7.1
// Greylisted`), which wants minutes, not a slower pace.
const PACE_REFUSAL = /\b(rate|too many|throttl\w*|limit\w*)\b/i;

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
    const pace = e.responseCode === 421 || (e.responseCode < 500 && PACE_REFUSAL.test(reason));
    return { ok: false, permanent, ...(pace ? { rateLimited: true as const } : {}), reason };
  }
  if (code && PERMANENT_CODES.has(code)) return { ok: false, permanent: true, reason: `${code}: ${detail}` };
  // ECONNECTION, ESOCKET, ETIMEDOUT, EDNS, EPROXY, ECONNREFUSED… and anything unforeseen:
  // retried a bounded number of times by the dispatcher rather than lost at once.
  return { ok: false, permanent: false, reason: code ? `${code}: ${detail}` : detail };
}

const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim().slice(0, 500);
