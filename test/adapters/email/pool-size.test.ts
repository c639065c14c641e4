import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEmailAdapter } from '../../../adapters/email/index.js';
import { createLogger } from '../../../src/log.js';

const adapter = (smtpUrl?: string) =>
  createEmailAdapter({ ...(smtpUrl ? { smtpUrl } : {}), outboxDir: mkdtempSync(join(tmpdir(), 'koop-pool-')), from: 'k@example.org', log: createLogger('silent') });

/** The sender says how many sends it has under way at once (the dispatcher books a paced send only when one is free): its pool's connections. */
describe('the e-mail sender’s concurrency', () => {
  it('is the pool’s 3 connections, or maxConnections from SMTP_URL', async () => {
    const pooled = adapter('smtp://127.0.0.1:2525?ignoreTLS=true');
    const five = adapter('smtp://127.0.0.1:2525?ignoreTLS=true&maxConnections=5');
    const unreadable = adapter('smtp://127.0.0.1:2525?maxConnections=many');
    expect([pooled.sender.concurrency, five.sender.concurrency, unreadable.sender.concurrency]).toEqual([3, 5, 3]);
    for (const a of [pooled, five, unreadable]) await a.stop();
  });

  it('is unlimited when mail is written to files', async () => {
    const files = adapter();
    expect(files.sender.concurrency).toBeUndefined();
    await files.stop();
  });
});
