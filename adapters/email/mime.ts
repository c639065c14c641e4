import { randomUUID } from 'node:crypto';
import type { SendMailOptions } from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import type MimeNode from 'nodemailer/lib/mime-node';
import { encode as base64Encode, wrap as base64Wrap } from 'nodemailer/lib/base64';
import { encode as qpEncode, wrap as qpWrap } from 'nodemailer/lib/qp';
import { writeDirect } from './mime-direct.js';

export interface BuiltMail {
  /** The whole message, CRLF line ends, as it goes after SMTP's DATA. */
  raw: Buffer;
  envelope: { from: string; to: string[] };
  messageId: string;
}

/**
 * A mail built whole, at once. The mails compose.ts makes are written directly (mime-direct.ts),
 * the same text nodemailer writes without its tree; any other mail goes to nodemailer's composer.
 */
export function buildMail(mail: SendMailOptions): BuiltMail {
  // One random UUID for the Message-ID and the boundaries: nodemailer would draw bytes from the
  // system's random source five times a mail for them (about 70 µs a mail, measured).
  const unique = randomUUID();
  return buildDirectly(mail, unique) ?? buildWithComposer(mail, unique);
}

/** The direct writer's mail, or undefined for a mail of another shape (exported for the tests). */
export function buildDirectly(mail: SendMailOptions, unique: string): BuiltMail | undefined {
  const written = writeDirect(mail, unique, listUrl);
  // No lone CR or LF to mend: the bodies' line breaks are CRLF before encoding and every header
  // value went through nodemailer's encoders (the tests check the raw text line by line).
  return written && { raw: Buffer.from(written.text, 'utf8'), envelope: written.envelope, messageId: written.messageId };
}

/**
 * Nodemailer decides the structure and every header (MailComposer makes the tree; each node's
 * own buildHeaders() encodes and folds them); only the parts' bodies are joined here, with
 * nodemailer's own encoders, without its streams. Its stream build took about 0.9 ms of CPU per
 * reminder e-mail (a dozen transform streams and pipelines per mail), most of what e-mail cost
 * the service in a lump of reminders (issue 17, docs/benchmarks.md). Our mails' parts are
 * strings and buffers only (compose.ts: no files, URLs or streams), which is what makes this
 * possible; anything else is refused rather than sent wrong. Exported for the tests.
 */
export function buildWithComposer(mail: SendMailOptions, unique: string): BuiltMail {
  const { list, ...rest } = mail;
  // Given one here, the composer draws no random bytes for its own; replaced below in place.
  const messageId = rest.messageId ?? `<${unique}@localhost>`;
  // Mail content comes from our code only: never let it point nodemailer at files or URLs.
  const root = new MailComposer({ ...rest, messageId, baseBoundary: unique.replace(/-/g, ''), disableFileAccess: true, disableUrlAccess: true }).compile();
  // Named, as nodemailer names it, after the envelope sender as nodemailer normalised it: a
  // domain with Polish letters (związek.pl) as its ASCII A-label, never 8-bit in the header.
  if (!rest.messageId) root.setHeader('Message-ID', `<${unique}@${String(root.getEnvelope().from || 'localhost').split('@').pop()}>`);
  // List-* headers are nodemailer's Mailer's work, not its composer's: done here as it does them.
  for (const [key, url] of Object.entries(list ?? {})) {
    if (typeof url !== 'string') throw new Error(`list header ${key}: only a single URL is built here`);
    // A prepared value (nodemailer's own option, missing from its type declarations): folded, not encoded.
    const value = { prepared: true, foldLines: true, value: listUrl(url) } as unknown as string;
    root.addHeader(`List-${key[0]!.toUpperCase()}${key.slice(1)}`, value);
  }
  const out: string[] = [];
  writeNode(root as Node, out);
  return { raw: toRaw(out.join('')), envelope: root.getEnvelope() as BuiltMail['envelope'], messageId: root.messageId() };
}

/** As nodemailer's windows newline: every line ends in CRLF, whatever the parts held. */
function toRaw(text: string): Buffer {
  const whole = text.endsWith('\n') ? text : `${text}\r\n`;
  return Buffer.from(LONE_BREAK.test(whole) ? whole.replace(/\r\n|\r|\n/g, '\r\n') : whole, 'utf8');
}

/** A CR not before LF, or an LF not after CR. */
const LONE_BREAK = /\r(?!\n)|(?<!\r)\n/;

/** Nodemailer's MimeNode fields this reads (public in its code, not in its type declarations). */
type Node = MimeNode & { multipart?: string | false; contentType?: string };

function writeNode(node: Node, out: string[]): void {
  out.push(node.buildHeaders(), '\r\n\r\n');
  if (node.content !== undefined && node.content !== null && node.content !== '') out.push(encodeBody(node));
  if (!node.multipart) return;
  node.childNodes.forEach((child, i) => {
    out.push(`${i > 0 ? '\r\n' : ''}--${node.boundary}\r\n`);
    writeNode(child as Node, out);
  });
  out.push(`\r\n--${node.boundary}--\r\n`);
}

function encodeBody(node: Node): string {
  const content: unknown = node.content;
  if (typeof content !== 'string' && !Buffer.isBuffer(content)) throw new Error('a mail part that is not text or bytes cannot be built');
  const encoding = node.getTransferEncoding();
  const isText = /^text\//i.test(node.contentType ?? '');
  // Text's line breaks are CRLF before encoding: quoted-printable keeps them as line breaks.
  const bytes = typeof content === 'string' ? Buffer.from(isText ? content.replace(/\r?\n|\r/g, '\r\n') : content, 'utf8') : content;
  if (encoding === 'base64') return base64Wrap(base64Encode(bytes), 76);
  if (encoding === 'quoted-printable') {
    if (!isText) throw new Error('quoted-printable outside text is not built here');
    return qpWrap(qpEncode(bytes), 76);
  }
  return bytes.toString('utf8');
}

/** As nodemailer's Mailer writes a List-* URL: no control character, space or angle bracket can reach the header. */
function listUrl(url: string): string {
  const clean = url.replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g, '').replace(/[\s<]+|[\s>]+/g, '');
  return /^(https?|mailto|ftp):/.test(clean) ? `<${clean}>` : `<http://${clean}>`;
}
