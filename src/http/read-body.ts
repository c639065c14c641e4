import type { IncomingMessage, ServerResponse } from 'node:http';

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

/** The client went away before its body ended: there is no one to answer, and nothing of ours failed. */
export class ClientGoneError extends Error {}

/**
 * The request body, refusing more than `limit` bytes: a declared Content-Length over the limit
 * is refused before a byte is read, and reading stops at the limit, so a 10 MB post costs no
 * more memory than a full form. Every body the service reads comes through here (forms, Slack,
 * Teams).
 *
 * A refused body is drained, not destroyed: destroying the request reset the socket (Teams),
 * so the client saw ECONNRESET instead of the 413. Whoever answers the 413 sets connection:
 * close, which ends the socket, and this draining, once the answer is written. Events rather
 * than `for await`: the async iterator costs more than the read of a few-hundred-byte Slack
 * command itself.
 */
export function readBytes(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const gone = (error?: Error) => reject(new ClientGoneError(`the client went away before its body ended${error ? ` (${error.message})` : ''}`));
    // A body read already (or being read by another reader) is a bug of ours: 'end' would not
    // come again, the read would wait until the client left and call it gone, and nobody would
    // answer. A plain error now: the route's error handling answers 500 and logs it.
    if (req.readableEnded || req.readableDidRead) return reject(new Error('readBytes: the request body was already read; read it once and pass it on'));
    // A handler that awaited before reading may find its client already gone: 'close' will not come again.
    if (req.destroyed) return gone();
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      req.resume();
      return reject(new BodyTooLargeError(limit));
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      req.off('data', onData).off('end', onEnd);
      req.resume();
      reject(new BodyTooLargeError(limit));
    };
    // One chunk (a Slack command, most forms) is returned as it came, without a copy.
    const onEnd = () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    // A client gone before the end ('aborted', then 'close'): the promise must not hang. The
    // promise settles once; these stay attached while draining, so an error has a listener.
    req.on('data', onData).once('end', onEnd).on('error', gone).once('close', () => gone());
  });
}

/**
 * For an answer given without reading the request's body to its end (a 405, a 404, a route's
 * refusal before its read, a 413): a request that declared a body gets `connection: close`.
 * The server calls it as every answer's head is written (server.ts, ClosingResponse). Otherwise Node, to keep the
 * connection for the next request, reads the whole body after the answer (a client could send
 * gigabytes to a wrong address and hold the socket for as long); closed, it ends once the
 * answer is out. A request without a body keeps its connection.
 */
export function closeUnreadBody(req: IncomingMessage, res: ServerResponse): void {
  if (req.readableEnded || res.headersSent) return;
  const declared = Number(req.headers['content-length']);
  if (req.headers['transfer-encoding'] !== undefined || (Number.isFinite(declared) && declared > 0)) res.setHeader('connection', 'close');
}

/** The request body as UTF-8 text, at most `limit` bytes (readBytes): a form, never an upload. */
export async function readBody(req: IncomingMessage, limit = FORM_BODY_LIMIT): Promise<string> {
  const bytes = await readBytes(req, limit);
  try {
    return utf8.decode(bytes);
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
