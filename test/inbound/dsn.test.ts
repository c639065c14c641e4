import { describe, expect, it } from 'vitest';
import { parseDsn } from '../../src/inbound/dsn-reports.js';
import { isPermanentBounce } from '../../src/inbound/bounces.js';
import { eximBounce, exchangeBounce, gmailBounce, plainReply, postfixBounce, postfixDelay, qmailBounce } from './dsn-samples.js';

const TO = 'kooperator+d1p2.abcdefghijklmnop@example.org';
const WHO = 'Anna.Nowak@example.org';

describe('delivery status notifications', () => {
  it.each([
    ['Postfix (RFC 3464)', postfixBounce(TO, WHO), '5.1.1'],
    ['Exchange Online', exchangeBounce(TO, WHO), '5.1.10'],
    ['Gmail', gmailBounce(TO, WHO), '5.1.1'],
    ['qmail (plain text)', qmailBounce(TO, WHO), '5.1.1'],
    ['Exim (plain text)', eximBounce(TO, WHO), '5.1.1'],
  ])('should read a permanent failure from %s', (_name, raw, status) => {
    const reports = parseDsn(Buffer.from(raw));
    expect(reports).toHaveLength(1);
    expect(reports![0]).toMatchObject({ action: 'failed', status, recipient: 'anna.nowak@example.org' });
    expect(reports![0]!.diagnostic).toMatch(/550/);
    expect(isPermanentBounce(reports![0]!)).toBe(true);
  });

  it('should read a delayed report as not permanent', () => {
    const [report] = parseDsn(postfixDelay(TO, WHO))!;
    expect(report).toMatchObject({ action: 'delayed', status: '4.4.1' });
    expect(isPermanentBounce(report!)).toBe(false);
  });

  it('should give one report per recipient block', () => {
    const two = postfixBounce(TO, WHO).replace('Diagnostic-Code:', 'X-Skip:').replace(
      '\r\n--4Xyz12.1701594000/mail.example.org\r\nContent-Description: Undelivered',
      '\r\nFinal-Recipient: rfc822; jan@example.org\r\nAction: delivered\r\nStatus: 2.0.0\r\n\r\n--4Xyz12.1701594000/mail.example.org\r\nContent-Description: Undelivered',
    );
    expect(parseDsn(two)!.map((r) => [r.recipient, r.action])).toEqual([['anna.nowak@example.org', 'failed'], ['jan@example.org', 'delivered']]);
  });

  it('should find no bounce in a plain reply, an empty mail or malformed MIME', () => {
    expect(parseDsn(plainReply(TO))).toBeUndefined();
    expect(parseDsn('')).toBeUndefined();
    expect(parseDsn('Content-Type: multipart/report; boundary="x"\r\n\r\n--x\r\nContent-Type: message/delivery-status\r\n\r\ngarbage without fields')).toBeUndefined();
    expect(parseDsn('Subject: Undelivered Mail\r\nContent-Type: multipart/mixed\r\n\r\nno boundary, no code')).toBeUndefined();
  });
});
