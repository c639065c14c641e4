import type { IncomingMessage } from 'node:http';

/** The usual cap of a form post: our forms send a few hundred bytes, a long report a few KB. */
export const FORM_BODY_LIMIT = 64 * 1024;

/** Refused before or while reading; the server answers 413 with a page in both languages. */
export class BodyTooLargeError extends Error {
  readonly status = 413;
  constructor(readonly limit: number) {
    super(`The request body is larger than ${limit} bytes.`);
  }
}

/** A body that is not a form: bad percent-encoding or not UTF-8. The server answers 400. */
export class MalformedBodyError extends Error {
  readonly status = 400;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The request body as UTF-8 text, refusing more than `limit` bytes (a form, never an upload):
 * a declared Content-Length over the limit is refused before a byte is read, and reading
 * stops at the limit, so a 10 MB post costs no more memory than a full form.
 */
export async function readBody(req: IncomingMessage, limit = FORM_BODY_LIMIT): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw new BodyTooLargeError(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new BodyTooLargeError(limit);
    chunks.push(chunk as Buffer);
  }
  try {
    return utf8.decode(Buffer.concat(chunks));
  } catch {
    throw new MalformedBodyError('The request body is not UTF-8 text.');
  }
}

/**
 * An HTML form post (application/x-www-form-urlencoded) as field → value; repeated fields keep
 * the last. Decoded strictly: URLSearchParams would turn `%ZZ` or a broken UTF-8 sequence into
 * U+FFFD and store that, so such a body is refused instead.
 */
export async function readForm(req: IncomingMessage, limit?: number): Promise<Record<string, string>> {
  const text = await readBody(req, limit);
  const form: Record<string, string> = {};
  for (const pair of text.split('&')) {
    if (!pair) continue;
    const at = pair.indexOf('=');
    const [name, value] = at < 0 ? [pair, ''] : [pair.slice(0, at), pair.slice(at + 1)];
    try {
      form[decodeURIComponent(name.replace(/\+/g, ' '))] = decodeURIComponent(value.replace(/\+/g, ' '));
    } catch {
      throw new MalformedBodyError('The form is not valid percent-encoded UTF-8.');
    }
  }
  return form;
}
