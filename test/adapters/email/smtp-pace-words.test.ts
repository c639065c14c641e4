import { describe, expect, it } from 'vitest';
import { toSendResult } from '../../../adapters/email/send-result.js';

/**
 * A 4xx reply is a refusal for pace only when the relay speaks of its rate: not when the
 * words "limit" or "rate" turn up in a full mailbox's reply or in the recipient's address the
 * relay echoes back. A refusal for pace uses no attempt, so a misread one is retried every
 * two seconds for ever and never moves on to the person's next channel.
 */
describe('SMTP replies that are not about pace', () => {
  it.each([
    ['452 4.2.2 Mailbox size limit exceeded'],
    ['452 4.2.2 <anna@example.org>: Recipient address rejected: mailbox over storage limit'],
    ['450 4.2.0 <rate@example.org>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/example.org.html'],
    ['450 4.1.1 <kate@limited.example>: Recipient address rejected: unverified address: host not found'],
  ])('should not read %s as a refusal for pace', (response) => {
    const code = Number(response.slice(0, 3));
    const result = toSendResult({ code: 'EENVELOPE', responseCode: code, response, message: `Can't send mail - all recipients were rejected: ${response}` });
    expect(result.rateLimited).toBeUndefined();
  });
});
