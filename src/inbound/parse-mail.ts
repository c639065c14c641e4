import { createHash } from 'node:crypto';
import { MailParser, type AddressObject, type HeaderValue } from 'mailparser';

/**
 * What the rest of inbound handling reads of a mail: headers, the text of its text parts and its
 * text/calendar and delivery-status parts. Everything else (attachments, images, a forwarded
 * mail's files) is drained unread, so a 25 MB mail costs its raw bytes and little more.
 */
export interface ParsedMail {
  /** The Message-ID, or `sha256:<hex>` of the raw mail when it has none (or an unusable one). */
  key: string;
  subject: string;
  from?: string;
  /** Every address the mail was sent to, as written (To, Cc, Delivered-To, X-Original-To). */
  recipients: string[];
  /** Lower-cased header names to their raw values as mailparser reads them (first only). */
  header(name: string): string | undefined;
  /** The plain text (the HTML's text when there is no plain part), cut at MAX_TEXT. */
  text: string;
  /** Each text/calendar part's text, cut at MAX_PART. */
  calendars: string[];
  /** Each message/delivery-status part (RFC 3464), cut at MAX_PART. */
  deliveryStatus: string[];
  /** Content-Type of the whole mail, e.g. multipart/report; report-type=delivery-status. */
  contentType: string;
  reportType?: string;
}

const MAX_TEXT = 64 * 1024;
const MAX_PART = 256 * 1024;
const MAX_KEY = 300;

/** Parses a raw mail; undefined when it is not a mail at all (mailparser gave up). Never throws. */
export async function parseMail(raw: Buffer): Promise<ParsedMail | undefined> {
  try {
    return await parse(raw);
  } catch {
    return undefined;
  }
}

export function rawKey(raw: Buffer): string {
  return `sha256:${createHash('sha256').update(raw).digest('hex')}`;
}

function parse(raw: Buffer): Promise<ParsedMail> {
  return new Promise((resolve, reject) => {
    const parser = new MailParser({ skipImageLinks: true, skipTextToHtml: true, skipTextLinks: true, maxHtmlLengthToParse: 2 * 1024 * 1024, checksumAlgo: false });
    let headers = new Map<string, HeaderValue>();
    let text = '';
    let html = '';
    const calendars: string[] = [];
    const deliveryStatus: string[] = [];
    parser.on('headers', (h: Map<string, HeaderValue>) => (headers = h));
    parser.on('data', (data: { type: string; text?: string; html?: string | false; contentType?: string; content?: NodeJS.ReadableStream; release?: () => void }) => {
      if (data.type === 'text') {
        text = typeof data.text === 'string' ? data.text.slice(0, MAX_TEXT) : '';
        html = typeof data.html === 'string' ? data.html.slice(0, MAX_TEXT * 4) : '';
        return;
      }
      if (data.type !== 'attachment' || !data.content) return;
      const kind = (data.contentType ?? '').toLowerCase();
      const keep = kind === 'text/calendar' || kind === 'application/ics' ? calendars : kind === 'message/delivery-status' || kind === 'message/global-delivery-status' ? deliveryStatus : undefined;
      const chunks: Buffer[] = [];
      let size = 0;
      data.content.on('data', (chunk: Buffer) => {
        if (keep && size < MAX_PART) chunks.push(chunk);
        size += chunk.length;
      });
      data.content.on('end', () => {
        if (keep) keep.push(Buffer.concat(chunks).subarray(0, MAX_PART).toString('utf8'));
        data.release?.();
      });
    });
    parser.on('error', reject);
    parser.on('end', () => {
      const header = (name: string) => headerText(headers.get(name.toLowerCase()));
      const contentType = headers.get('content-type') as { value?: string; params?: Record<string, string> } | undefined;
      const id = header('message-id')?.trim();
      resolve({
        key: id && id.length <= MAX_KEY && /^<?[^\s<>]+>?$/.test(id) ? id.replace(/^<|>$/g, '') : rawKey(raw),
        subject: header('subject') ?? '',
        from: addresses(headers.get('from'))[0],
        recipients: ['to', 'cc', 'delivered-to', 'x-original-to'].flatMap((name) => addresses(headers.get(name))),
        header,
        text: text || htmlText(html),
        calendars,
        deliveryStatus,
        contentType: contentType?.value?.toLowerCase() ?? 'text/plain',
        ...(contentType?.params?.['report-type'] ? { reportType: contentType.params['report-type'].toLowerCase() } : {}),
      });
    });
    parser.end(raw);
  });
}

function headerText(value: HeaderValue | undefined): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return headerText(value[0] as HeaderValue);
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object' && 'text' in value) return String((value as AddressObject).text);
  if (typeof value === 'object' && 'value' in value) return String((value as { value: unknown }).value);
  return String(value);
}

/** Every address in an address header (groups flattened), or in a plain header like Delivered-To. */
function addresses(value: HeaderValue | undefined): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return value.split(',').map((a) => a.trim()).filter(Boolean);
  const objects = (Array.isArray(value) ? value : [value]) as unknown[];
  const out: string[] = [];
  const walk = (entries: { address?: string; group?: unknown[] }[]) => {
    for (const e of entries) {
      if (e.address) out.push(e.address);
      if (e.group) walk(e.group as { address?: string }[]);
    }
  };
  for (const o of objects) {
    if (typeof o === 'string') out.push(...o.split(',').map((a) => a.trim()).filter(Boolean));
    else if (o && typeof o === 'object' && 'value' in o) walk((o as AddressObject).value);
  }
  return out;
}

/** The words of an HTML body, for replies without a plain part (a cheap strip; nothing is rendered). */
function htmlText(html: string): string {
  return html
    .replace(/<(style|script)[\s\S]*?<\/\1>/gi, '')
    .replace(/<br\s*\/?>|<\/(p|div|tr|li|blockquote)>/gi, '\n')
    .replace(/<blockquote[\s\S]*$/i, '')
    .replace(/<[^>]+>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .slice(0, MAX_TEXT);
}
