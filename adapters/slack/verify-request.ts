import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { BodyTooLargeError, readBytes } from '../../src/http/read-body.js';

/** Slack's own limit for a signed request's age; we hold it in both directions. */
export const TIMESTAMP_WINDOW_SECONDS = 5 * 60;
/** Interactivity payloads and events are a few KB; a modal's whole state stays far below this. */
export const MAX_SLACK_BODY_BYTES = 1024 * 1024;

export type Refusal = { status: 400 | 401 | 413; reason: string };

/** The whole body (read-body.ts's reader: events, drained on refusal), or a 413 after reading no more than the limit. */
export async function readLimited(req: IncomingMessage, limit = MAX_SLACK_BODY_BYTES): Promise<Buffer | Refusal> {
  try {
    return await readBytes(req, limit);
  } catch (error) {
    if (error instanceof BodyTooLargeError) return { status: 413, reason: error.message };
    throw error;
  }
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
