import { describe, expect, it } from 'vitest';
import { signLink, verifyLink } from '../../src/security/signed-links.js';

const SECRET = 'a'.repeat(64);
const NOW = new Date('2027-02-01T12:00:00Z');
const EXPIRES = new Date('2027-02-24T23:00:00Z');
const rsvp = (overrides: Record<string, string | Date> = {}) =>
  signLink(SECRET, { purpose: 'rsvp', subject: '42', expiresAt: EXPIRES, activity: 'warsztaty-2027-1', answer: 'accepted', ...overrides });

/** The token with the character at `index` replaced by a different base64url character. */
function flip(token: string, index: number): string {
  const c = token[index]!;
  return token.slice(0, index) + (c === 'A' ? 'B' : 'A') + token.slice(index + 1);
}

describe('signed links', () => {
  it('should accept a valid token and give back every field', () => {
    const token = rsvp();
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(token.length).toBeLessThan(200);
    expect(verifyLink(SECRET, token, 'rsvp', NOW)).toEqual({
      ok: true,
      payload: { purpose: 'rsvp', subject: '42', expiresAt: EXPIRES, activity: 'warsztaty-2027-1', answer: 'accepted' },
    });
  });

  it('should refuse a token with any single character of its payload or signature changed', () => {
    const token = rsvp();
    for (let i = 0; i < token.length; i++) {
      if (token[i] === '.') continue;
      const result = verifyLink(SECRET, flip(token, i), 'rsvp', NOW);
      expect(result.ok, `changed character ${i}`).toBe(false);
      expect(['bad_signature', 'malformed']).toContain(!result.ok && result.reason);
    }
    // The last signature character carries two padding bits: the same bytes, still refused.
    expect(verifyLink(SECRET, flip(token, token.length - 1), 'rsvp', NOW)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('should refuse an answer swapped in the payload', () => {
    const [, signature] = rsvp().split('.');
    const forged = Buffer.from(JSON.stringify({ p: 'rsvp', s: '42', e: EXPIRES.getTime() / 1000, x: { activity: 'warsztaty-2027-1', answer: 'declined' } })).toString('base64url');
    expect(verifyLink(SECRET, `${forged}.${signature}`, 'rsvp', NOW)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it.each(['', 'abc', 'a.b.c', '.sig', 'body.', 'bo dy.sig', 'body.si+g', 'x'.repeat(10) + '.' + '=='])('should call %j malformed', (token) => {
    expect(verifyLink(SECRET, token, 'rsvp', NOW)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('should refuse a token from the moment it expires', () => {
    const token = rsvp();
    expect(verifyLink(SECRET, token, 'rsvp', new Date(EXPIRES.getTime() - 1000)).ok).toBe(true);
    expect(verifyLink(SECRET, token, 'rsvp', EXPIRES)).toEqual({ ok: false, reason: 'expired' });
    expect(verifyLink(SECRET, token, 'rsvp', new Date('2027-03-01T00:00:00Z'))).toEqual({ ok: false, reason: 'expired' });
  });

  it('should refuse a token made for another purpose', () => {
    const token = signLink(SECRET, { purpose: 'preferences', subject: '42', expiresAt: EXPIRES });
    expect(verifyLink(SECRET, token, 'rsvp', NOW)).toEqual({ ok: false, reason: 'wrong_purpose' });
    expect(verifyLink(SECRET, token, 'preferences', NOW).ok).toBe(true);
  });

  it('should refuse a token signed with another secret', () => {
    const token = signLink('b'.repeat(64), { purpose: 'rsvp', subject: '42', expiresAt: EXPIRES });
    expect(verifyLink(SECRET, token, 'rsvp', NOW)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('should refuse to sign without a secret, a valid expiry or with non-text fields', () => {
    expect(() => signLink('', { purpose: 'rsvp', subject: '42', expiresAt: EXPIRES })).toThrow(/secret/);
    expect(() => signLink(SECRET, { purpose: 'rsvp', subject: '42', expiresAt: new Date('nope') })).toThrow(/expiresAt/);
    expect(() => rsvp({ when: new Date() })).toThrow(/when/);
  });
});
