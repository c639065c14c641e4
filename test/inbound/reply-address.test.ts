import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readReplyAddress, replyAddress } from '../../src/inbound/reply-address.js';

const SECRET = 'r'.repeat(40);
const FROM = '"Kooperator RCPS" <kooperator@example.org>';

describe('signed reply addresses', () => {
  it('should read back every delivery and person, including numbers whose base 36 holds a "p"', () => {
    // 25 is "p" in base 36: d1pp2… was read as the wrong split before (found by the inbound benchmark).
    for (const ref of [{ deliveryId: 25, personId: 1 }, { deliveryId: 1, personId: 25 }, { deliveryId: 925, personId: 25 * 36 + 25 }, { deliveryId: 0, personId: 0 }]) {
      expect(readReplyAddress(SECRET, FROM, replyAddress(SECRET, FROM, ref))).toEqual(ref);
    }
    fc.assert(
      fc.property(fc.nat({ max: 2 ** 40 }), fc.nat({ max: 2 ** 40 }), (deliveryId, personId) => {
        const address = replyAddress(SECRET, FROM, { deliveryId, personId });
        // Only what a header can hold safely: no injection possible.
        expect(address).toMatch(/^kooperator\+d[0-9a-z]+p[0-9a-z]+\.[a-z2-7]{16}@example\.org$/);
        expect(readReplyAddress(SECRET, FROM, address.toUpperCase())).toEqual({ deliveryId, personId });
        expect(readReplyAddress(SECRET, FROM, `Anna <${address}>`)).toEqual({ deliveryId, personId });
      }),
      { numRuns: 300 },
    );
  });

  it('should refuse a tampered, forged or foreign address', () => {
    const address = replyAddress(SECRET, FROM, { deliveryId: 12, personId: 34 });
    const [local, domain] = address.split('@') as [string, string];
    const flipped = `${local.slice(0, -1)}${local.endsWith('a') ? 'b' : 'a'}@${domain}`;
    expect(readReplyAddress(SECRET, FROM, flipped)).toBeUndefined();
    expect(readReplyAddress('x'.repeat(40), FROM, address)).toBeUndefined();
    // Another delivery's number under this MAC (12 is "c" in base 36).
    expect(address).toContain('+dcp');
    expect(readReplyAddress(SECRET, FROM, address.replace('+dcp', '+ddp'))).toBeUndefined();
    expect(readReplyAddress(SECRET, FROM, address.replace('@example.org', '@example.net'))).toBeUndefined();
    expect(readReplyAddress(SECRET, FROM, address.replace('kooperator+', 'inny+'))).toBeUndefined();
    expect(readReplyAddress(SECRET, FROM, 'kooperator@example.org')).toBeUndefined();
    expect(readReplyAddress(SECRET, FROM, address.slice(0, 20))).toBeUndefined();
  });
});
