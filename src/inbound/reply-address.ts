import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed reply addresses (docs/inbound-mail.md): every mail the service sends carries, as its
 * Reply-To, its envelope sender (so bounces come back the same way) and an invitation's ORGANIZER,
 * a plus-address on MAIL_FROM's mailbox that names the delivery it belongs to and the person it
 * went to: `kooperator+d<delivery>p<person>.<mac>@example.org`. The delivery row says what the
 * mail was about (its payload); the MAC (HMAC-SHA256 with APP_SECRET, 80 bits) makes the address
 * unforgeable, so a reply to it binds to that person without trusting the From header.
 *
 * Lower-case letters and digits only: mail servers may fold the case of a local part. The tag
 * takes up to about 31 characters; a MAIL_FROM whose local part leaves no room for it within RFC
 * 5321's 64 gets no signed addresses (fittingReplyAddress).
 */
export interface ReplyRef {
  deliveryId: number;
  personId: number;
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

function base32(bytes: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

function mac(secret: string, ref: ReplyRef): string {
  return base32(createHmac('sha256', secret).update(`reply-address:${ref.deliveryId}:${ref.personId}`).digest().subarray(0, 10));
}

/** The bare address inside `"Name" <addr>` or the address itself. */
export function bareAddress(mailbox: string): string {
  const angle = /<([^<>]+)>\s*$/.exec(mailbox);
  return (angle ? angle[1]! : mailbox).trim();
}

/** The signed reply address for one delivery to one person, on the mailbox of `mailFrom`. */
export function replyAddress(secret: string, mailFrom: string, ref: ReplyRef): string {
  const address = bareAddress(mailFrom);
  const at = address.lastIndexOf('@');
  const local = address.slice(0, at).split('+')[0];
  const tag = `d${ref.deliveryId.toString(36)}p${ref.personId.toString(36)}.${mac(secret, ref)}`;
  return `${local}+${tag}${address.slice(at)}`;
}

/** RFC 5321 §4.5.3.1.1: a local part has at most 64 octets; servers refuse longer ones. */
export const MAX_LOCAL_PART = 64;

/**
 * The signed reply address, or undefined when its local part would be longer than 64 octets (a
 * long MAIL_FROM local part): the mail then goes out with plain MAIL_FROM as its Reply-To and
 * envelope sender, and replies and bounces to it are not bound (docs/inbound-mail.md).
 */
export function fittingReplyAddress(secret: string, mailFrom: string, ref: ReplyRef): string | undefined {
  const address = replyAddress(secret, mailFrom, ref);
  return Buffer.byteLength(address.slice(0, address.lastIndexOf('@'))) <= MAX_LOCAL_PART ? address : undefined;
}

/** Whether MAIL_FROM leaves room for the signed tag of large ids (2^31): checked once at start, to log it. */
export const replyAddressesFit = (mailFrom: string): boolean => fittingReplyAddress('x', mailFrom, { deliveryId: 2 ** 31 - 1, personId: 2 ** 31 - 1 }) !== undefined;

// `d<delivery>p<person>.<mac>`: both numbers are base 36, whose digits include `p` (25), so the
// split between them is ambiguous (d1pp2…): every split is tried and only the one whose MAC
// holds is taken (at most a few, each a keyed hash).
const TAG = /^d([0-9a-z]{3,25})\.([a-z2-7]{16})$/;

/**
 * The delivery and person a reply address names, or undefined for any address that is not one of
 * ours with a valid signature (a forged, tampered or truncated tag; another mailbox's address).
 */
export function readReplyAddress(secret: string, mailFrom: string, address: string): ReplyRef | undefined {
  const own = bareAddress(mailFrom).toLowerCase();
  const ownAt = own.lastIndexOf('@');
  const candidate = bareAddress(address).toLowerCase();
  const at = candidate.lastIndexOf('@');
  if (at < 0 || candidate.slice(at) !== own.slice(ownAt)) return undefined;
  const local = candidate.slice(0, at);
  const ownLocal = own.slice(0, ownAt).split('+')[0];
  if (!local.startsWith(`${ownLocal}+`)) return undefined;
  const match = TAG.exec(local.slice(ownLocal!.length + 1));
  if (!match) return undefined;
  const numbers = match[1]!;
  const given = Buffer.from(match[2]!);
  for (let split = numbers.indexOf('p'); split >= 0; split = numbers.indexOf('p', split + 1)) {
    const [delivery, person] = [numbers.slice(0, split), numbers.slice(split + 1)];
    if (delivery.length < 1 || delivery.length > 12 || person.length < 1 || person.length > 12) continue;
    const ref = { deliveryId: parseInt(delivery, 36), personId: parseInt(person, 36) };
    if (!Number.isSafeInteger(ref.deliveryId) || !Number.isSafeInteger(ref.personId)) continue;
    const expected = Buffer.from(mac(secret, ref));
    if (expected.length === given.length && timingSafeEqual(expected, given)) return ref;
  }
  return undefined;
}
