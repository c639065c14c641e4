import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, ErrorCode, type Context } from '@slack/bolt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSlackBody } from '../../../adapters/slack/request-shape.js';
import { ScreenedReceiver, UNACKED_AFTER_MS } from '../../../adapters/slack/screened-receiver.js';

/**
 * Our receiver between the screened request and Bolt's App, with real Bolt listeners: what
 * Bolt's HTTPReceiver did for Slack must still happen (retry headers in the context, a
 * warning and 404 when nothing acks, a 500 without the error's text when a listener throws).
 * The requests here skip the signature check, which index.ts does before the receiver.
 */
const UNACKED_MS = 150;

describe('ScreenedReceiver', () => {
  const lines: { level: number; msg: string; err?: { message: string } }[] = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  const seen: Context[] = [];
  const lateAcks: unknown[] = [];
  let server: Server;
  let url: string;

  beforeAll(async () => {
    const receiver = new ScreenedReceiver(log, UNACKED_MS);
    const app = new App({ receiver, authorize: async () => ({ botToken: 'xoxb-x', botId: 'B1', botUserId: 'U1' }), convoStore: false, logger: silentBoltLogger() });
    app.event('app_home_opened', async ({ context }) => void seen.push(context));
    app.command('/never', async () => {});
    app.command('/late', async ({ ack }) => {
      await new Promise((r) => setTimeout(r, UNACKED_MS * 2));
      await ack().then(() => lateAcks.push('ok'), (error: unknown) => lateAcks.push(error));
    });
    app.command('/throws', async () => {
      throw new Error('secret detail of the failure');
    });
    app.command('/throws-after-typing', async ({ context }) => {
      const res = context.kooperatorHttpResponse as import('node:http').ServerResponse;
      res.setHeader('content-type', 'application/json');
      res.setHeader('content-length', '999');
      throw new Error('failed after setting the headers');
    });
    app.command('/twice', async ({ ack }) => {
      await ack('first');
      await ack('second').catch((error: { code?: string }) => lateAcks.push(error.code));
    });
    app.command('/object', async ({ ack }) => ack({ text: 'zażółć' } as never));
    app.command('/fails-after-ack', async ({ ack }) => {
      await ack();
      throw new Error('after the ack');
    });
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c)).on('end', () => {
        const parsed = parseSlackBody(Buffer.concat(chunks).toString('utf8'), req.headers['content-type']);
        if ('problem' in parsed) throw new Error(parsed.problem);
        void receiver.dispatch(parsed.body, req, res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const command = (name: string) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ command: name, text: '', user_id: 'UANNA', team_id: 'T1', channel_id: 'D1', trigger_id: 't', response_url: 'https://hooks.slack.invalid/x' }).toString(),
    });
  const event = (id: string, headers: Record<string, string> = {}) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ type: 'event_callback', team_id: 'T1', event_id: id, event: { type: 'app_home_opened', user: 'UANNA', channel: 'D1', tab: 'home' } }),
    });

  it('should wait 3 s and a millisecond for an ack by default, as Bolt does', () => {
    expect(UNACKED_AFTER_MS).toBe(3001);
  });

  it('should answer url_verification with its challenge as JSON', async () => {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'url_verification', challenge: 'c-9' }) });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({ challenge: 'c-9' });
  });

  it("should give listeners Slack's retry number and reason from the X-Slack-Retry headers", async () => {
    expect((await event('Ev1', { 'x-slack-retry-num': '2', 'x-slack-retry-reason': 'http_timeout' })).status).toBe(200);
    expect((await event('Ev2')).status).toBe(200);
    await expect.poll(() => seen.length).toBe(2);
    expect(seen[0]).toMatchObject({ retryNum: 2, retryReason: 'http_timeout' });
    expect(seen[1]!.retryNum).toBeUndefined();
    expect(seen[1]!.retryReason).toBeUndefined();
  });

  it('should log an error and answer 404 when no listener acks in time', async () => {
    const started = Date.now();
    const response = await command('/never');
    expect(response.status).toBe(404);
    expect(response.headers.get('content-length')).toBe('0');
    expect(Date.now() - started).toBeGreaterThanOrEqual(UNACKED_MS - 5);
    expect(lines.some((l) => l.level === 50 && l.msg.includes('not acknowledged within 3 seconds'))).toBe(true);
  });

  it('should take an ack that comes after the 404 without throwing, and log it', async () => {
    expect((await command('/late')).status).toBe(404);
    await expect.poll(() => lateAcks.length).toBe(1);
    expect(lateAcks[0]).toBe('ok');
    expect(lines.some((l) => l.level === 40 && l.msg.includes('after the 3-second answer'))).toBe(true);
  });

  it('should answer 500 without the error when a listener throws before its ack, and log the error', async () => {
    const response = await command('/throws');
    expect(response.status).toBe(500);
    expect(await response.text()).toBe('');
    expect(lines.some((l) => l.level === 50 && l.err?.message === 'secret detail of the failure')).toBe(true);
  });

  it('should answer a whole empty 500 though the listener had set the type and length of an answer', async () => {
    const response = await command('/throws-after-typing');
    expect(response.status).toBe(500);
    expect(response.headers.get('content-length')).toBe('0');
    expect(response.headers.get('content-type')).toBeNull();
    expect(await response.text()).toBe('');
  });

  it('should keep the first answer when a listener fails after its ack', async () => {
    const response = await command('/fails-after-ack');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-length')).toBe('0');
    expect(await response.text()).toBe('');
    await expect.poll(() => lines.some((l) => l.err?.message === 'after the ack')).toBe(true);
  });

  it('should send the first ack and refuse a second one as Bolt does', async () => {
    const before = lateAcks.length;
    const response = await command('/twice');
    expect(await response.text()).toBe('first');
    expect(response.headers.get('content-type')).toBeNull();
    await expect.poll(() => lateAcks.length).toBe(before + 1);
    expect(lateAcks.at(-1)).toBe(ErrorCode.ReceiverMultipleAckError);
  });

  it('should send an object ack as JSON with its length in bytes, not chunked', async () => {
    const response = await command('/object');
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ text: 'zażółć' });
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('content-length')).toBe(String(Buffer.byteLength(text)));
    expect(response.headers.get('transfer-encoding')).toBeNull();
  });
});

function silentBoltLogger() {
  const nothing = () => {};
  return { debug: nothing, info: nothing, warn: nothing, error: nothing, setLevel: nothing, getLevel: () => 'error' as never, setName: nothing };
}
