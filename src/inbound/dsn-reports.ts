import type { BounceReport } from './bounces.js';

/**
 * Delivery status notifications (bounces) read from a mail's raw bytes.
 *
 * - RFC 3464 (`multipart/report; report-type=delivery-status`, with a `message/delivery-status`
 *   part, or RFC 6533's `message/global-delivery-status`): what Postfix, Exim, Exchange/Outlook,
 *   Gmail and most servers send. Each per-recipient block becomes one report.
 * - The common non-standard bounces: qmail's "Hi. This is the qmail-send program" and the
 *   plain-text "Mail delivery failed / Undelivered Mail / Delivery Status Notification (Failure)"
 *   of older servers, read only when they carry an SMTP reply with an enhanced code (5.1.1) or
 *   a 5xx reply: a guess without one is no bounce.
 *
 * Returns undefined for a mail that is no bounce. Never throws on malformed MIME. Whether the
 * sender may send one at all is `fromMailSystem`'s question: ask it too.
 */
export function parseDsn(raw: Buffer | string): BounceReport[] | undefined {
  const text = typeof raw === 'string' ? raw : raw.toString('latin1');
  const mail = splitPart(text);
  const status = findPart(mail, 0);
  if (status) {
    const reports = deliveryStatus(decode(status));
    if (reports.length > 0) return reports;
  }
  return plainBounce(mail);
}

interface Part {
  headers: Map<string, string>;
  body: string;
}

const MAX_DEPTH = 5;
const MAX_SCAN = 256 * 1024;

/** Headers (unfolded, lower-case names; the first of each) and the body of one MIME entity. */
function splitPart(text: string): Part {
  const end = /\r?\n\r?\n/.exec(text);
  const head = end ? text.slice(0, end.index) : text;
  const body = end ? text.slice(end.index + end[0].length) : '';
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!headers.has(name)) headers.set(name, line.slice(colon + 1).trim());
  }
  return { headers, body };
}

function contentType(part: Part): { type: string; params: Map<string, string> } {
  const value = part.headers.get('content-type') ?? 'text/plain';
  const [type = '', ...rest] = value.split(';');
  const params = new Map<string, string>();
  for (const param of rest) {
    const eq = param.indexOf('=');
    if (eq > 0) params.set(param.slice(0, eq).trim().toLowerCase(), param.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1'));
  }
  return { type: type.trim().toLowerCase(), params };
}

/** The children of a multipart entity, split at its boundary. */
function children(part: Part): Part[] {
  const boundary = contentType(part).params.get('boundary');
  if (!boundary) return [];
  const pieces = part.body.split(new RegExp(`^--${escapeRegExp(boundary)}(?:--)?[ \\t]*\\r?$`, 'm'));
  // The preamble before the first boundary and the epilogue after the last are no parts.
  return pieces.slice(1, -1).map((piece) => splitPart(piece.replace(/^\r?\n/, '')));
}

/** The first message/(global-)delivery-status part, however deep (a bounce forwarded inside another). */
function findPart(part: Part, depth: number): Part | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const { type } = contentType(part);
  if (type === 'message/delivery-status' || type === 'message/global-delivery-status') return part;
  if (!type.startsWith('multipart/')) return undefined;
  for (const child of children(part)) {
    const found = findPart(child, depth + 1);
    if (found) return found;
  }
  return undefined;
}

function decode(part: Part): string {
  const encoding = (part.headers.get('content-transfer-encoding') ?? '').toLowerCase();
  if (encoding === 'base64') return Buffer.from(part.body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding === 'quoted-printable') {
    return Buffer.from(part.body.replace(/=\r?\n/g, '').replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1').toString('utf8');
  }
  return part.body;
}

/** RFC 3464 §2: one per-message block, then one block per recipient, separated by blank lines. */
function deliveryStatus(body: string): BounceReport[] {
  const blocks = body.trim().split(/\r?\n[ \t]*\r?\n/).map((block) => splitPart(`${block}\r\n\r\n`).headers);
  const reports: BounceReport[] = [];
  for (const fields of blocks) {
    const action = fields.get('action')?.toLowerCase().replace(/\s*\(.*\)$/, '');
    if (!action) continue;
    const named = [addressOf(fields.get('original-recipient')), addressOf(fields.get('final-recipient'))].filter((a): a is string => !!a);
    const recipient = named[0];
    const status = /\b([245]\.\d{1,3}\.\d{1,3})\b/.exec(fields.get('status') ?? '')?.[1];
    const diagnostic = fields.get('diagnostic-code')?.replace(/^[^;]*;\s*/, '');
    reports.push({ action, ...(recipient ? { recipient, recipients: [...new Set(named)] } : {}), ...(status ? { status } : {}), ...(diagnostic ? { diagnostic: diagnostic.slice(0, 500) } : {}) });
  }
  return reports;
}

/** `rfc822; anna@example.org` → anna@example.org. */
function addressOf(field: string | undefined): string | undefined {
  if (!field) return undefined;
  const address = field.replace(/^[^;]*;\s*/, '').replace(/^<|>$/g, '').trim();
  return /^[^\s@]+@[^\s@]+$/.test(address) ? address.toLowerCase() : undefined;
}

const BOUNCE_SUBJECT = /undeliver|undelivered|delivery status notification|delivery failure|failure notice|mail delivery failed|returned mail|delivery has failed|niedostarcz|nie można dostarczyć/i;
const FROM_DAEMON = /mailer-daemon|postmaster|mail delivery (sub)?system/i;

/** qmail and the plain-text bounces of older servers: a failed recipient and an SMTP reply in the text. */
function plainBounce(mail: Part): BounceReport[] | undefined {
  const subject = mail.headers.get('subject') ?? '';
  const from = mail.headers.get('from') ?? '';
  if (!BOUNCE_SUBJECT.test(subject) && !FROM_DAEMON.test(from)) return undefined;
  const { type } = contentType(mail);
  const firstText = type.startsWith('multipart/') ? children(mail).find((c) => contentType(c).type === 'text/plain') : mail;
  const text = firstText ? decode(firstText).slice(0, MAX_SCAN) : '';
  const recipient = /<([^\s<>@]{1,256}@[^\s<>@]{1,256})>:[ \t]*\r?\n/.exec(text)?.[1] ?? eximRecipient(text);
  const reply = /\b(5\d\d)[ -](?:#?(5\.\d{1,3}\.\d{1,3})\b)?[^\r\n]*/.exec(text) ?? /\b#?(5\.\d{1,3}\.\d{1,3})\b[^\r\n]*/.exec(text);
  if (!reply) {
    // Exim's "Mail delivery failed" and qmail state a permanent failure in words only sometimes.
    const temporary = /\b(4\d\d)[ -](?:#?(4\.\d{1,3}\.\d{1,3}))?/.exec(text);
    if (temporary && recipient) return [{ action: 'delayed', recipient: recipient.toLowerCase(), status: temporary[2] ?? '4.0.0', diagnostic: temporary[0].slice(0, 500) }];
    return undefined;
  }
  const status = reply[2] ?? (reply[1]!.startsWith('5.') ? reply[1] : '5.0.0');
  return [{ action: 'failed', ...(recipient ? { recipient: recipient.toLowerCase() } : {}), status, diagnostic: reply[0].trim().slice(0, 500) }];
}

/**
 * Exim's layout: an indented address alone on its line, the next non-blank line indented and
 * saying why ("SMTP error from remote mail server…", "…failed", "…rejected"). Read line by line:
 * one pattern over the whole text (`^\s+…\s*\r?\n\s+…`) backtracks quadratically on blank lines.
 */
function eximRecipient(text: string): string | undefined {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    const address = /^[ \t]+([^\s<>@]{1,256}@[^\s<>@]{1,256})[ \t]*\r?$/.exec(lines[i]!)?.[1];
    if (!address) continue;
    let next = i + 1;
    while (next < lines.length && lines[next]!.trim() === '') next += 1;
    if (next < lines.length && /^[ \t]+(?:SMTP error|[^\r\n]*(?:failed|rejected))/.test(lines[next]!)) return address;
  }
  return undefined;
}

const FROM_MAIL_SYSTEM = /mailer-daemon|postmaster|mail delivery (?:sub)?system|microsoftexchange[0-9a-f]{32}@/i;

/**
 * Whether a mail comes from a mail system, as a DSN must (RFC 5321 §4.5.5, RFC 3464 §2): its
 * envelope sender is null (MAIL FROM:<>; over IMAP the receiving server's Return-Path: <>). A
 * DSN-shaped mail from anyone else's address is no bounce: anyone the mail was forwarded to knows
 * its signed Reply-To. Only when the transport does not know the envelope sender (`undefined`: an
 * IMAP server that writes no Return-Path) is the mail's own shape taken: From a mailer-daemon or
 * postmaster, and Auto-Submitted or a multipart/report. (Headers can be forged; the envelope is
 * the check that counts.)
 */
export function fromMailSystem(raw: Buffer | string, envelopeFrom: string | undefined): boolean {
  if (envelopeFrom !== undefined) {
    const sender = envelopeFrom.trim().replace(/^<(.*)>$/, '$1');
    // Sendmail's local delivery writes the null sender as MAILER-DAEMON.
    return sender === '' || /^mailer-daemon(?:@|$)/i.test(sender);
  }
  const text = typeof raw === 'string' ? raw.slice(0, 64 * 1024) : raw.subarray(0, 64 * 1024).toString('latin1');
  const { headers } = splitPart(text);
  if (!FROM_MAIL_SYSTEM.test((headers.get('from') ?? '').slice(0, 1000))) return false;
  const autoSubmitted = (headers.get('auto-submitted') ?? 'no').trim().toLowerCase();
  return !autoSubmitted.startsWith('no') || contentType({ headers, body: '' }).type === 'multipart/report';
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
