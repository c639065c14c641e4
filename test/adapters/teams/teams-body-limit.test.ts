import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { abortMidBody, postChunked } from '../../support/chunked-post.js';
import { dialects } from '../../support/databases.js';
import { activity, people, startHarness, type Harness } from './harness.js';

/**
 * Found in review: http-mount.ts read its body with its own loop and called req.destroy() on an
 * activity over 1 MB before answering 413. It now reads with read-body.ts's reader, which
 * drains instead, as the form pages and Slack do.
 */
describe.each(dialects)('Teams bodies over the limit or cut short, on %s', (kind) => {
  let h: Harness;
  beforeAll(async () => (h = await startHarness(kind)));
  afterAll(async () => h?.close());
  const json = { 'content-type': 'application/json' };

  it('should answer a chunked activity over 1 MB (no content-length) with 413 and close the connection, not reset it', async () => {
    const parts = [Buffer.from('{"type":"message","text":"'), ...Array.from({ length: 40 }, () => Buffer.alloc(64 * 1024, 'x')), Buffer.from('"}')];
    const answer = await postChunked(`${h.url}/api/messages`, parts, json);
    expect(answer).toMatchObject({ status: 413, connection: 'close' });
  });

  it('should answer a declared content-length over 1 MB with 413 before reading it', async () => {
    const response = await fetch(`${h.url}/api/messages`, { method: 'POST', headers: json, body: 'x'.repeat(1024 * 1024 + 1) });
    expect(response.status).toBe(413);
  });

  it('should survive a client gone mid-body, and answer the next activity', async () => {
    await abortMidBody(`${h.url}/api/messages`, Buffer.from('{"type":"message",'), json);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const response = await h.post(activity(h.connector, people.anna, { text: 'pomoc' }));
    expect(response.status).toBe(200);
  });
});
