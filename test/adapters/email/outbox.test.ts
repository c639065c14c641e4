import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ICAL from 'ical.js';
import { simpleParser } from 'mailparser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEmailAdapter } from '../../../adapters/email/index.js';
import { aReminder, EVENT_UID, expectReminder, FROM, itipCalendar, log } from './support.js';

let root: string;
beforeEach(async () => (root = await mkdtemp(join(tmpdir(), 'kooperator-outbox-'))));
afterEach(async () => rm(root, { recursive: true, force: true }));

describe('e-mail without SMTP_URL', () => {
  it('should write each mail as a parseable .eml file into a new outbox folder', async () => {
    const outboxDir = join(root, 'data', 'outbox');
    const adapter = createEmailAdapter({ outboxDir, from: FROM, log });
    await adapter.start();

    const result = await adapter.sender.send('anna.nowak@example.org', aReminder());
    await adapter.stop();

    const files = await readdir(outboxDir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^\d{8}T\d{9}Z-[0-9a-f]{12}\.eml$/);
    expect(result).toEqual({ ok: true, providerId: files[0] });
    const raw = await readFile(join(outboxDir, files[0]!));
    expect(raw.includes('\r\n')).toBe(true);
    const mail = await simpleParser(raw);
    expect(mail.to).toMatchObject({ text: 'anna.nowak@example.org' });
    expect(mail.from?.text).toBe(FROM);
    expectReminder(mail, expect);
  });

  it('should keep the invitation and give every mail its own file', async () => {
    const outboxDir = join(root, 'outbox');
    const adapter = createEmailAdapter({ outboxDir, from: FROM, log });

    const results = await Promise.all(
      ['a@example.org', 'b@example.org', 'c@example.org'].map((to) =>
        adapter.sender.send(to, aReminder({ calendar: { method: 'REQUEST', content: itipCalendar('REQUEST') } })),
      ),
    );

    expect(results.every((r) => r.ok)).toBe(true);
    const files = (await readdir(outboxDir)).sort();
    expect(files).toHaveLength(3);
    expect(files.every((f) => f.endsWith('.eml'))).toBe(true);
    const mail = await simpleParser(await readFile(join(outboxDir, files[0]!)));
    const part = mail.attachments.find((a) => a.contentType === 'text/calendar')!;
    expect((part.headers.get('content-type') as { params: Record<string, string> }).params.method).toBe('REQUEST');
    const calendar = new ICAL.Component(ICAL.parse(part.content.toString('utf8')) as unknown[]);
    expect(calendar.getFirstSubcomponent('vevent')!.getFirstPropertyValue('uid')).toBe(EVENT_UID);
  });

  it('should report a folder it cannot write as a temporary failure, without throwing', async () => {
    const blocked = join(root, 'file');
    await writeFile(blocked, 'not a folder');
    const adapter = createEmailAdapter({ outboxDir: join(blocked, 'outbox'), from: FROM, log });

    const result = await adapter.sender.send('anna.nowak@example.org', aReminder());

    expect(result).toMatchObject({ ok: false, permanent: false, reason: expect.stringMatching(/ENOTDIR|EEXIST/) });
  });
});
