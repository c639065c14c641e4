import type { SendMailOptions } from 'nodemailer';
import MimeNode from 'nodemailer/lib/mime-node';
import { buildHeaderValue, foldLines, hasLongerLines, isPlainText } from 'nodemailer/lib/mime-funcs';
import { encode as base64Encode, wrap as base64Wrap } from 'nodemailer/lib/base64';
import { encode as qpEncode, wrap as qpWrap } from 'nodemailer/lib/qp';

/**
 * The mails compose.ts makes (text and HTML as strings, a few headers, List-Unsubscribe, an
 * envelope) written directly, the text exactly as MailComposer and MimeNode.buildHeaders write
 * it (mime.ts): the same headers in the same order, each value encoded and folded by the same
 * nodemailer function, the same boundary and transfer encodings. The tree, its dozen header
 * objects and their parse-and-rebuild of constant Content-Types cost more than the mail itself
 * (about 60% of buildMail's CPU). Any other shape returns undefined and goes to the composer:
 * test/adapters/email/mime-build.test.ts compares the two paths byte for byte.
 */
export interface Written {
  text: string;
  envelope: { from: string; to: string[] };
  messageId: string;
}

/** Nodemailer's own address and text helpers: public in its code, not in its type declarations. */
type Helpers = MimeNode & {
  _parseAddresses(value: string): Array<{ address?: string; name?: string; group?: unknown }>;
  _convertAddresses(addresses: unknown[], unique?: Array<{ address: string }>): string;
  _getTextEncoding(value: string): 'Q' | 'B';
  _normalizeAddress(address: string): string;
};
// A node that only lends its (stateless) encoders: no tree, no content, never built.
const node = new MimeNode(false, { baseBoundary: '-' }) as Helpers;

/** Option keys the direct writer handles; any other key (icalEvent, attachments, cc, …) takes the composer. */
const KNOWN = new Set(['from', 'to', 'replyTo', 'subject', 'text', 'html', 'headers', 'list', 'envelope', 'messageId', 'date']);
/** compose.ts's own headers, already in nodemailer's spelling (its key normalisation would keep them). */
const CUSTOM = new Set(['Content-Language', 'List-Unsubscribe-Post', 'Auto-Submitted', 'X-Auto-Response-Suppress']);
const PRINTABLE = /^[\x20-\x7e]*$/;
const ADDRESS_ASCII = /^[\x21-\x7e]+$/;

export function writeDirect(mail: SendMailOptions, unique: string, listUrl: (url: string) => string): Written | undefined {
  for (const key of Object.keys(mail)) if (!KNOWN.has(key)) return undefined;
  const { from, to, replyTo, subject, text, html, headers, list, envelope, messageId, date } = mail;
  // Both parts as strings, so the tree is always multipart/alternative of text/plain and text/html.
  if (typeof text !== 'string' || !text || typeof html !== 'string' || !html) return undefined;
  // Non-ASCII in an address means SMTPUTF8 and U-label domains: the composer's business.
  if (typeof to !== 'string' || !PRINTABLE.test(to)) return undefined;
  if (replyTo !== undefined && (typeof replyTo !== 'string' || !PRINTABLE.test(replyTo))) return undefined;
  if (subject !== undefined && typeof subject !== 'string') return undefined;
  // An empty one is the composer's to make (it orders its headers differently then).
  if (messageId !== undefined && (typeof messageId !== 'string' || !messageId)) return undefined;
  if (date !== undefined && !(date instanceof Date)) return undefined;
  const sender = typeof from === 'string' ? fromOf(from) : undefined;
  if (!sender) return undefined;

  // Header order as the composer leaves it: the custom headers, the address and id headers,
  // List-* (added after compile), then buildHeaders' Date, MIME-Version and Content-Type last.
  const lines: string[] = [];
  if (headers !== undefined) {
    if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) return undefined;
    for (const [key, value] of Object.entries(headers)) {
      if (!CUSTOM.has(key) || typeof value !== 'string') return undefined;
      header(lines, key, value);
    }
  }
  lines.push(sender.line);
  const plainTo = plain(to);
  const recipients: Array<{ address: string }> = plainTo ? [{ address: plainTo }] : [];
  lines.push(fold('To', plainTo ?? node._convertAddresses(node._parseAddresses(to), recipients)));
  if (!recipients.length) return undefined;
  if (replyTo && plain(replyTo)) lines.push(fold('Reply-To', replyTo));
  else if (replyTo) header(lines, 'Reply-To', replyTo);
  if (subject) header(lines, 'Subject', subject);

  let env: Written['envelope'] = { from: sender.address, to: recipients.map((r) => r.address) };
  // A null envelope is none, as the composer reads it.
  if (envelope !== undefined && envelope !== null) {
    const given = envelope as Record<string, unknown>;
    if (Object.keys(given).some((k) => k !== 'from' && k !== 'to')) return undefined;
    if (typeof given.from !== 'string' || typeof given.to !== 'string' || !PRINTABLE.test(given.from) || !PRINTABLE.test(given.to)) return undefined;
    const envelopeFrom = plain(given.from);
    const envelopeTo = plain(given.to);
    if (envelopeFrom && envelopeTo) env = { from: envelopeFrom, to: [envelopeTo] };
    else {
      // The composer's setEnvelope on a node that holds nothing else: read at once, never shared.
      const set = node.setEnvelope({ from: given.from, to: given.to }).getEnvelope();
      if (typeof set.from !== 'string' || !set.from) return undefined;
      env = { from: set.from, to: set.to };
    }
  }
  // Named after the envelope sender's domain, as mime.ts names the composer's.
  const id = messageId || `<${unique}@${env.from.split('@').pop()}>`;
  header(lines, 'Message-ID', id);
  // The date format of MimeNode's encodeHeaderValue and buildHeaders: "Thu, 01 Jan 1970 00:00:00 +0000".
  const dateLine = `Date: ${(date ?? new Date()).toUTCString().replace(/GMT/, '+0000')}`;
  if (date) lines.push(dateLine);
  if (list !== undefined) {
    if (typeof list !== 'object' || list === null) return undefined;
    const keys = Object.keys(list);
    if (keys.length !== 1 || keys[0] !== 'unsubscribe' || typeof list.unsubscribe !== 'string') return undefined;
    // The Mailer's prepared List-* value: folded, not encoded.
    lines.push(foldLines(`List-Unsubscribe: ${listUrl(list.unsubscribe)}`));
  }
  if (!date) lines.push(dateLine);
  // The composer's boundary for its root node (the first node, Part_1) on our baseBoundary.
  const boundary = `--_NmP-${unique.replace(/-/g, '')}-Part_1`;
  lines.push('MIME-Version: 1.0', fold('Content-Type', buildHeaderValue({ value: 'multipart/alternative', params: { boundary } })));

  const out = `${lines.join('\r\n')}\r\n\r\n--${boundary}\r\n${part('text/plain', text)}\r\n--${boundary}\r\n${part('text/html', html)}\r\n--${boundary}--\r\n`;
  return { text: out, envelope: env, messageId: id };
}

/**
 * One plain address (ours: jan.kowalski@example.org, kooperator+d1p2.…@example.org), which
 * nodemailer's address parser reads as itself and its normaliser leaves as it is: then it is its
 * own header value and envelope address, without the parser (a third of the headers' cost).
 * Anything else, e.g. capitals in the domain, goes through nodemailer's parser below.
 */
const PLAIN = /^[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*@[a-z0-9-]+(?:\.[a-z0-9-]+)+$/;
function plain(address: string): string | undefined {
  return PLAIN.test(address) && node._normalizeAddress(address) === address ? address : undefined;
}

function fold(key: string, value: string): string {
  return foldLines(`${key}: ${value}`, 76);
}

/** A header as buildHeaders writes it: encoded by the node, skipped when empty, folded at 76. */
function header(lines: string[], key: string, value: string): void {
  const encoded = node.encodeHeaderValue(key, value);
  if (encoded.trim()) lines.push(fold(key, encoded));
}

/** The From header and envelope sender for one MAIL_FROM, worked out once: it is the same for every mail. */
const senders = new Map<string, { line: string; address: string } | null>();
function fromOf(from: string): { line: string; address: string } | undefined {
  let sender = senders.get(from);
  if (sender === undefined) {
    const unique: Array<{ address: string }> = [];
    const line = fold('From', node._convertAddresses(node._parseAddresses(from), unique));
    // One mailbox with an ASCII address, as getEnvelope takes it (the first address of From).
    sender = unique.length === 1 && ADDRESS_ASCII.test(unique[0]!.address) ? { line, address: unique[0]!.address } : null;
    if (senders.size > 16) senders.clear();
    senders.set(from, sender);
  }
  return sender ?? undefined;
}

/**
 * A text part as MimeNode writes it: 7bit when printable ASCII in lines of at most 76, else
 * quoted-printable or base64 as its _getTextEncoding prefers (more Latin letters than others:
 * Q). Line breaks become CRLF before encoding, as mime.ts's composer path does.
 */
function part(type: 'text/plain' | 'text/html', content: string): string {
  const encoding = isPlainText(content) && !hasLongerLines(content, 76) ? '7bit' : node._getTextEncoding(content) === 'Q' ? 'quoted-printable' : 'base64';
  const crlf = content.replace(/\r?\n|\r/g, '\r\n');
  const body = encoding === '7bit' ? crlf : encoding === 'base64' ? base64Wrap(base64Encode(Buffer.from(crlf, 'utf8')), 76) : qpWrap(qpEncode(Buffer.from(crlf, 'utf8')), 76);
  return `Content-Type: ${type}; charset=utf-8\r\nContent-Transfer-Encoding: ${encoding}\r\n\r\n${body}`;
}
