import type { IncomingMessage } from 'node:http';

export class BodyTooLargeError extends Error {
  readonly status = 413;
  constructor(limit: number) {
    super(`The request body is larger than ${limit} bytes.`);
  }
}

/** The request body as text, refusing more than `limit` bytes (a form, never an upload). */
export async function readBody(req: IncomingMessage, limit = 64 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new BodyTooLargeError(limit);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** An HTML form post (application/x-www-form-urlencoded) as field → value; repeated fields keep the last. */
export async function readForm(req: IncomingMessage, limit?: number): Promise<Record<string, string>> {
  const params = new URLSearchParams(await readBody(req, limit));
  return Object.fromEntries(params.entries());
}
