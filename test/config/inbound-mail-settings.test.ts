import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { imapSettings } from '../../adapters/email-inbound/imap-reader.js';
import { ConfigError, loadConfig } from '../../src/config.js';

const load = (env: Record<string, string>) => loadConfig({ DATA_DIR: mkdtempSync(join(tmpdir(), 'koop-inbound-')), ...env });
const failure = (env: Record<string, string>): ConfigError => {
  try {
    load(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
};

describe('inbound mail settings', () => {
  it('should leave inbound mail off when unset or blank', () => {
    expect(load({})).toMatchObject({ imapUrl: undefined, inboundSmtpPort: undefined });
    expect(load({ IMAP_URL: '', INBOUND_SMTP_PORT: '' })).toMatchObject({ imapUrl: undefined, inboundSmtpPort: undefined });
  });

  it('should take an imaps:// or imap:// mailbox and a port', () => {
    const config = load({ IMAP_URL: 'imaps://kooperator%40example.org:p%40ss@imap.example.org/INBOX', INBOUND_SMTP_PORT: '2525' });
    expect(config.inboundSmtpPort).toBe(2525);
    expect(imapSettings(config.imapUrl!)).toEqual({ host: 'imap.example.org', port: 993, secure: true, doSTARTTLS: undefined, user: 'kooperator@example.org', pass: 'p@ss', mailbox: 'INBOX' });
    expect(imapSettings('imap://u:p@127.0.0.1:1143/Odpowiedzi?starttls=never')).toMatchObject({ port: 1143, secure: false, doSTARTTLS: false, mailbox: 'Odpowiedzi' });
    expect(imapSettings('imap://u:p@mail.example.org')).toMatchObject({ port: 143, mailbox: 'INBOX', doSTARTTLS: undefined });
  });

  it.each([
    ['IMAP_URL', { IMAP_URL: 'https://imap.example.org' }],
    ['IMAP_URL', { IMAP_URL: 'imaps://imap.example.org/INBOX' }],
    ['IMAP_URL', { IMAP_URL: 'not a url' }],
    ['INBOUND_SMTP_PORT', { INBOUND_SMTP_PORT: '70000' }],
    ['INBOUND_SMTP_PORT', { INBOUND_SMTP_PORT: 'smtp' }],
    ['INBOUND_SMTP_PORT', { INBOUND_SMTP_PORT: '3000' }],
  ])('should refuse a bad %s in one line naming it, with a good example', (variable, env) => {
    const error = failure(env as Record<string, string>);
    expect(error.variable).toBe(variable);
    expect(error.message.split('\n')).toHaveLength(1);
    expect(error.message).toMatch(new RegExp(`^${variable}: .*Example of a good value: \\S+`));
  });

  it('should never show the IMAP password in its error', () => {
    const error = failure({ IMAP_URL: 'ftp://kooperator:tajne-haslo@imap.example.org' });
    expect(error.message).not.toContain('tajne-haslo');
  });
});
