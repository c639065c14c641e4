import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed links such as `/rsvp/{signedToken}` (CONTRACT.md): single purpose, expiring and
 * tamper-proof, with nothing stored on the server.
 *
 * A token is `base64url(JSON) + '.' + base64url(HMAC-SHA256)`. The MAC covers the encoded
 * body exactly as sent, so changing any character (even one that base64url would decode to
 * the same bytes) breaks it, and its input starts with a label of its own, so a MAC made with
 * the same secret for another use (feed tokens) can never pass for a link.
 */
export interface LinkPayload {
  /** What the link may be used for, e.g. 'rsvp'; a token for one purpose is refused for another. */
  purpose: string;
  /** Whom or what the link is about, e.g. a person id. */
  subject: string;
  /** Kept to the whole second (rounded down), so a link never lives longer than asked. */
  expiresAt: Date;
  /** Further fields (activity id, answer…): strings only. */
  [field: string]: string | Date;
}

export type LinkRefusal = 'malformed' | 'bad_signature' | 'expired' | 'wrong_purpose';

export type VerifiedLink = { ok: true; payload: LinkPayload } | { ok: false; reason: LinkRefusal };

const MAC_LABEL = 'kooperator-link.v1.';
const PART = /^[A-Za-z0-9_-]+$/;

/**
 * @example
 * const token = signLink(config.appSecret, { purpose: 'rsvp', subject: String(personId), expiresAt, activity: 'warsztaty-2027-1', answer: 'accepted' });
 * const url = `${config.publicUrl}/rsvp/${token}`;
 */
export function signLink(secret: string, payload: LinkPayload): string {
  const { purpose, subject, expiresAt, ...extra } = payload;
  if (!(expiresAt instanceof Date) || Number.isNaN(expiresAt.getTime())) throw new TypeError('signLink: expiresAt must be a valid Date');
  for (const [key, value] of Object.entries(extra)) {
    if (typeof value !== 'string') throw new TypeError(`signLink: field ${key} must be a string`);
  }
  const compact: Compact = { p: purpose, s: subject, e: Math.floor(expiresAt.getTime() / 1000) };
  if (Object.keys(extra).length > 0) compact.x = extra as Record<string, string>;
  const body = Buffer.from(JSON.stringify(compact), 'utf8').toString('base64url');
  return `${body}.${mac(secret, body)}`;
}

/** Checks the signature, then the purpose, then the time. `now` comes from the caller's Clock. */
export function verifyLink(secret: string, token: string, purpose: string, now: Date): VerifiedLink {
  const parts = token.split('.');
  if (parts.length !== 2) return refuse('malformed');
  const [body, signature] = parts as [string, string];
  if (!PART.test(body) || !PART.test(signature)) return refuse('malformed');

  const expected = Buffer.from(mac(secret, body), 'ascii');
  const given = Buffer.from(signature, 'ascii');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return refuse('bad_signature');

  const payload = decode(body);
  if (!payload) return refuse('malformed');
  if (payload.purpose !== purpose) return refuse('wrong_purpose');
  if (now.getTime() >= payload.expiresAt.getTime()) return refuse('expired');
  return { ok: true, payload };
}

interface Compact {
  p: string;
  s: string;
  e: number;
  x?: Record<string, string>;
}

function mac(secret: string, body: string): string {
  if (!secret) throw new TypeError('signed links need a secret (APP_SECRET)');
  return createHmac('sha256', secret).update(MAC_LABEL + body).digest('base64url');
}

function decode(body: string): LinkPayload | undefined {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { p, s, e, x } = value as Partial<Compact>;
  if (typeof p !== 'string' || typeof s !== 'string' || typeof e !== 'number' || !Number.isFinite(e)) return undefined;
  const extra: Record<string, string> = {};
  if (x !== undefined) {
    if (typeof x !== 'object' || x === null) return undefined;
    for (const [key, field] of Object.entries(x)) {
      if (typeof field !== 'string' || key === 'purpose' || key === 'subject' || key === 'expiresAt') return undefined;
      extra[key] = field;
    }
  }
  return { ...extra, purpose: p, subject: s, expiresAt: new Date(e * 1000) };
}

const refuse = (reason: LinkRefusal): VerifiedLink => ({ ok: false, reason });
