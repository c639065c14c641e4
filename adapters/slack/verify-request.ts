import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';

/** Slack's own limit for a signed request's age; we hold it in both directions. */
export const TIMESTAMP_WINDOW_SECONDS = 5 * 60;
/** Interactivity payloads and events are a few KB; a modal's whole state stays far below this. */
export const MAX_SLACK_BODY_BYTES = 1024 * 1024;

export type Refusal = { status: 400 | 401 | 413; reason: string };

/** The whole body, or a 413 after reading no more than the limit (the rest is not kept). */
export async function readLimited(req: IncomingMessage, limit = MAX_SLACK_BODY_BYTES): Promise<Buffer | Refusal> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return { status: 413, reason: `body of ${declared} bytes is over the ${limit}-byte limit` };
  // Events rather than `for await`: the async iterator costs more than the read of a
  // few-hundred-byte command itself.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      req.off('data', onData).off('end', onEnd).off('error', onError);
      // The rest is read and dropped, not destroyed: destroying the request resets the socket,
      // so the client saw ECONNRESET instead of the 413. The 413 goes out with connection:
      // close, which ends the socket (and this draining) once it is written.
      req.resume();
      resolve({ status: 413, reason: `body over the ${limit}-byte limit` });
    };
    const onEnd = () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    const onError = (error: Error) => reject(error);
    // A client gone before the end: nothing to answer, but the promise must not hang (settled once; later calls are no-ops).
    const onClose = () => reject(new Error('request closed before its body ended'));
    req.on('data', onData).once('end', onEnd).once('error', onError).once('close', onClose);
  });
}

const header = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const value = headers[name];
  return typeof value === 'string' ? value : undefined;
};

/**
 * Slack's v0 signature (HMAC-SHA256 of `v0:{timestamp}:{body}`) and a timestamp within five
 * minutes of now either way. Bolt 5.1 refuses only timestamps older than five minutes, so a
 * request dated a year ahead could be replayed for a year; this check runs before Bolt's.
 */
export function verifySignature(headers: IncomingHttpHeaders, body: Buffer, secret: string, nowMs: number): Refusal | undefined {
  const stamp = header(headers, 'x-slack-request-timestamp');
  const signature = header(headers, 'x-slack-signature');
  if (!stamp || !/^\d{1,12}$/.test(stamp)) return { status: 401, reason: 'no valid x-slack-request-timestamp' };
  const skew = Number(stamp) - Math.floor(nowMs / 1000);
  if (Math.abs(skew) > TIMESTAMP_WINDOW_SECONDS) return { status: 401, reason: `timestamp ${skew > 0 ? 'ahead of' : 'behind'} our clock by ${Math.abs(skew)} s (at most ${TIMESTAMP_WINDOW_SECONDS} s)` };
  if (!signature?.startsWith('v0=')) return { status: 401, reason: 'no v0 signature' };
  const expected = createHmac('sha256', secret).update(`v0:${stamp}:`).update(body).digest();
  const given = Buffer.from(signature.slice(3), 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { status: 401, reason: 'signature mismatch' };
  return undefined;
}
