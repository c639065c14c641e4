import { describe, expect, it } from 'vitest';
import { composeMail } from '../../../adapters/email/compose.js';
import type { Message } from '../../../src/ports/channel.port.js';

const base: Message = { language: 'pl', title: 'Przypomnienie', text: 'Jutro spotkanie.' };
const mailOf = (message: Message) => {
  const composed = composeMail('anna.nowak@example.org', message);
  if (!composed.ok) throw new Error(composed.reason);
  return composed.mail;
};

describe('List-Unsubscribe', () => {
  it('should offer RFC 8058 one-click unsubscribe only with an unsubscribe URL, and keep the preferences link visible', () => {
    const mail = mailOf({ ...base, preferencesUrl: 'https://k.example.org/me/p', unsubscribeUrl: 'https://k.example.org/unsubscribe/u' });
    expect(mail.list).toEqual({ unsubscribe: 'https://k.example.org/unsubscribe/u' });
    expect(mail.headers).toEqual({ 'Content-Language': 'pl', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' });
    expect(mail.text).toContain('https://k.example.org/me/p');
    expect(String(mail.html)).toContain('href="https://k.example.org/me/p"');
    expect(String(mail.html)).not.toContain('/unsubscribe/');
  });

  it('should point List-Unsubscribe at the preferences page, without the one-click header, when there is no unsubscribe URL', () => {
    const mail = mailOf({ ...base, preferencesUrl: 'https://k.example.org/me/p' });
    expect(mail.list).toEqual({ unsubscribe: 'https://k.example.org/me/p' });
    expect(mail.headers).toEqual({ 'Content-Language': 'pl' });
  });

  it('should ignore an unsubscribe URL that is not a web address', () => {
    const mail = mailOf({ ...base, unsubscribeUrl: 'javascript:alert(1)' });
    expect(mail.list).toBeUndefined();
    expect(mail.headers).toEqual({ 'Content-Language': 'pl' });
  });
});

describe('Auto-Submitted (RFC 3834)', () => {
  it('should mark an automatic answer to someone\'s mail auto-replied and ask Exchange not to answer it', () => {
    const mail = mailOf({ ...base, autoReply: true });
    expect(mail.headers).toEqual({ 'Content-Language': 'pl', 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All' });
  });

  it('should leave other mails without Auto-Submitted, so an out-of-office reply to a reminder still comes back', () => {
    expect(mailOf(base).headers).toEqual({ 'Content-Language': 'pl' });
  });
});

describe('language and plain text (issue 14)', () => {
  it('should name the recipient\'s language and write the plain-text part without Markdown marks', () => {
    const mail = mailOf({
      ...base,
      language: 'en',
      text: 'See **this**: [the plan](https://k.example.org/plan)',
      fields: [{ label: 'Where', value: '**Room 12** [map](https://k.example.org/map)' }],
      items: [{ title: 'Meeting', lines: ['**Tuesday** [join](https://k.example.org/j)'] }],
    });
    expect(mail.headers).toEqual({ 'Content-Language': 'en' });
    expect(mail.text).toContain('See this: the plan (https://k.example.org/plan)');
    expect(mail.text).toContain('Where: Room 12 map (https://k.example.org/map)');
    expect(mail.text).toContain('  Tuesday join (https://k.example.org/j)');
    expect(mail.text).not.toMatch(/\*\*|\]\(/);
  });
});

describe('signed reply address', () => {
  const reply = 'kooperator+d1p2.abcdefghijklmnop@example.org';

  it('should make it the Reply-To and the envelope sender, keeping the From', () => {
    const mail = mailOf({ ...base, replyAddress: reply });
    expect(mail.replyTo).toBe(reply);
    expect(mail.envelope).toEqual({ from: reply, to: 'anna.nowak@example.org' });
    expect(mail.from).toBeUndefined();
  });

  it.each([
    'kooperator+d1p2.x@example.org\r\nBcc: everyone@example.org',
    '"Someone" <kooperator+d1p2@example.org>',
    'kooperator@example.org, other@example.org',
    'kooperator+d1p2.abc@exa mple.org',
  ])('should refuse to send with a reply address that is not one of ours: %j', (replyAddress) => {
    const composed = composeMail('anna.nowak@example.org', { ...base, replyAddress });
    expect(composed).toEqual({ ok: false, reason: 'the reply address is not one of ours: not sent' });
  });
});
