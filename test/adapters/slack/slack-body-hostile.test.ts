import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../../support/databases.js';
import { slackUsers, startSlackHarness, type SlackHarness } from './slack-harness.js';
import { buttonClick } from './slack-requests.js';

// Hostile review of readLimited (events instead of for-await): bodies that end badly.

const { anna } = slackUsers;

/** Posts `parts` one after another with no content-length (chunked); resolves the status, or the socket's error code. */
function chunked(url: string, parts: Buffer[], abortAfter?: number): Promise<number | string> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    parts.forEach((part, i) => {
      if (abortAfter !== undefined && i === abortAfter) return setTimeout(() => (req.destroy(), resolve('aborted')), 50);
      if (abortAfter === undefined || i < abortAfter) req.write(part);
    });
    if (abortAfter === undefined) req.end();
  });
}

describe.each(dialects)('Slack bodies that end badly, on %s', (kind) => {
  let h: SlackHarness;
  beforeAll(async () => (h = await startSlackHarness(kind)));
  afterAll(async () => h?.close());

  it('refuses a chunked body over 1 MB (no content-length) with 413', async () => {
    const parts = Array.from({ length: 20 }, () => Buffer.alloc(64 * 1024, 'x'));
    expect(await chunked(h.slack.eventsUrl, parts)).toBe(413);
  });

  it('closes the connection of a client that goes on sending after its 413', async () => {
    const closed = await new Promise<string>((resolve) => {
      const req = request(h.slack.eventsUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, (res) => {
        res.resume();
        expect(res.statusCode).toBe(413);
      });
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const timer = setInterval(() => req.write(chunk), 5);
      const done = (how: string) => (clearInterval(timer), resolve(how));
      req.on('error', (error: NodeJS.ErrnoException) => done(error.code ?? 'error'));
      req.on('close', () => done('closed'));
      setTimeout(() => (done('still open'), req.destroy()), 2000);
    });
    expect(closed).not.toBe('still open');
  });

  it('survives a client gone mid-body, and answers the next command', async () => {
    const parts = [Buffer.from('command=%2Fpzk&text='), Buffer.from('spotkania')];
    expect(await chunked(h.slack.eventsUrl, parts, 1)).toBe('aborted');
    await new Promise((r) => setTimeout(r, 100));
    const response = await h.slack.command(anna.id, 'spotkania');
    expect(response.status).toBe(200);
  });

  // Bolt no longer checks signatures (signatureVerification: false): every kind of request must be checked by ours.
  it('refuses every kind of request signed with another secret before it reaches Bolt, the bot or the Web API', async () => {
    const wrong = { secret: 'not-the-signing-secret-at-all' };
    const calls = h.fake.calls.length;
    const seen = h.incoming.length;
    const challenge = await h.slack.post(JSON.stringify({ type: 'url_verification', token: 'x', challenge: 'echo-me' }), 'application/json', wrong);
    expect(challenge.status).toBe(401);
    expect(await challenge.text()).not.toContain('echo-me');
    expect((await h.slack.interaction(buttonClick(anna.id, 'rsvp:accept', 'x'), wrong)).status).toBe(401);
    const retry = { ...wrong, headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } };
    expect((await h.slack.event('EvRETRY', { type: 'app_home_opened', user: anna.id, tab: 'home' }, retry)).status).toBe(401);
    expect((await h.slack.command(anna.id, 'spotkania', {}, wrong)).status).toBe(401);
    // ssl_check is answered unsigned, but nothing else in its body goes on.
    expect((await h.slack.command(anna.id, 'spotkania', { ssl_check: '1' }, wrong)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 100));
    expect(h.fake.calls.length).toBe(calls);
    expect(h.incoming.length).toBe(seen);
  });

  it('refuses an empty unsigned body with 401, not 500', async () => {
    expect(await chunked(h.slack.eventsUrl, [])).toBe(401);
  });
});
