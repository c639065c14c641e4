import nodemailer from 'nodemailer';
import { afterEach, describe, expect, it } from 'vitest';
import { Bucket, Windows } from './limits.js';
import { FakeSlack, SLACK_LIMITS } from './slack.js';
import { FakeSmtp } from './smtp.js';
import { FakeBotConnector, TEAMS_LIMITS } from './teams.js';

/** Time the fakes see, moved by the test. */
const manual = () => {
  let t = 0;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
};

const stops: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (stops.length) await stops.pop()!();
});

describe('the limits the fakes enforce', () => {
  it('should allow a bucket\'s burst, then one per 1/rate, and name the wait', () => {
    const time = manual();
    const bucket = new Bucket({ perSecond: 1, burst: 3 }, time.now);
    const take = () => (bucket.waitMs('c') === 0 ? (bucket.charge('c'), 0) : bucket.waitMs('c'));
    expect([take(), take(), take()]).toEqual([0, 0, 0]);
    expect(take()).toBe(1000);
    time.advance(999);
    expect(take()).toBeGreaterThan(0);
    time.advance(1);
    expect(take()).toBe(0);
  });

  it('should hold every window at once (Teams: 7 per second, 8 per 2 s)', () => {
    const time = manual();
    const windows = new Windows(TEAMS_LIMITS.perConversation, time.now);
    const take = () => (windows.waitMs('a') === 0 ? (windows.charge('a'), 0) : windows.waitMs('a'));
    for (let i = 0; i < 7; i++) expect(take()).toBe(0);
    expect(take()).toBe(1000);
    time.advance(1000);
    // A new second, but 8 per 2 s allows only one more.
    expect(take()).toBe(0);
    expect(take()).toBe(1000);
  });
});

describe('the fake Slack', () => {
  const post = (slack: FakeSlack, channel: string) =>
    fetch(`${slack.url}/api/chat.postMessage`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ channel, text: 'x' }) });

  it('should answer 429 with Retry-After beyond one channel\'s burst, and post nothing then', async () => {
    const time = manual();
    const slack = await new FakeSlack({ limits: SLACK_LIMITS, now: time.now }).start();
    stops.push(() => slack.stop());
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await post(slack, 'C1'));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 429]);
    expect(answers[3]!.headers.get('retry-after')).toBe('1');
    expect(await answers[3]!.json()).toEqual({ ok: false, error: 'ratelimited' });
    expect(await answers[0]!.json()).toMatchObject({ ok: true, channel: 'C1', ts: expect.any(String) });
    // Another channel is not held by C1's limit.
    expect((await post(slack, 'C2')).status).toBe(200);
    expect(slack.posted.get('C1')).toBe(3);
    expect(slack.tally).toMatchObject({ accepted: 4, refused: 1 });
    time.advance(1000);
    expect((await post(slack, 'C1')).status).toBe(200);
  });

  it('should refuse beyond the workspace limit whatever the channel', async () => {
    const time = manual();
    const slack = await new FakeSlack({ limits: { perChannel: { perSecond: 1, burst: 3 }, workspace: { perSecond: 5, burst: 5 } }, now: time.now }).start();
    stops.push(() => slack.stop());
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await post(slack, `U${i}`)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    time.advance(200);
    expect((await post(slack, 'U9')).status).toBe(200);
  });
});

describe('the fake Bot Connector', () => {
  const post = (connector: FakeBotConnector, conversation: string) =>
    fetch(`${connector.url}v3/conversations/${encodeURIComponent(conversation)}/activities`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"type":"message"}' });

  it('should answer 429 with Retry-After beyond 7 a second in one conversation', async () => {
    const time = manual();
    const connector = await new FakeBotConnector(TEAMS_LIMITS, time.now).start();
    stops.push(() => connector.stop());
    const statuses = [];
    for (let i = 0; i < 8; i++) statuses.push((await post(connector, 'a:1')).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 429]);
    const refused = await post(connector, 'a:1');
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(await refused.json()).toMatchObject({ error: { code: 'Throttled' } });
    expect(connector.tally).toMatchObject({ accepted: 7, refused: 2 });
  });

  it('should refuse beyond 60 in 30 s in one conversation, and beyond 50 a second for the app', async () => {
    const time = manual();
    const connector = await new FakeBotConnector(TEAMS_LIMITS, time.now).start();
    stops.push(() => connector.stop());
    let accepted = 0;
    for (let second = 0; second < 30; second++, time.advance(1000)) for (let i = 0; i < 4; i++) if ((await post(connector, 'a:1')).status === 200) accepted++;
    expect(accepted).toBe(60);
    const statuses: number[] = [];
    for (let i = 0; i < 51; i++) statuses.push((await post(connector, `a:${100 + i}`)).status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(50);
    expect(statuses.at(-1)).toBe(429);
  });
});

describe('the fake SMTP server', () => {
  const transport = (smtp: FakeSmtp, query: string) => {
    const t = nodemailer.createTransport({ url: smtp.smtpUrl(query), pool: true, logger: false } as Parameters<typeof nodemailer.createTransport>[0]);
    stops.push(async () => t.close());
    return t;
  };
  const mail = (i: number) => ({ from: 'k@example.org', to: `p${i}@example.org`, subject: `m${i}`, text: 'x' });

  it('should answer 421 to a connection beyond its limit', async () => {
    const smtp = await new FakeSmtp({ connections: 2, rate: { perSecond: 1000, burst: 1000 } }).start();
    stops.push(() => smtp.stop());
    const results = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => transport(smtp, 'maxConnections=1').sendMail(mail(i))));
    const refused = results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason as { responseCode?: number });
    expect(smtp.mostOpen).toBe(2);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((e) => e.responseCode === 421)).toBe(true);
    expect(smtp.tooMany).toBe(refused.length);
    expect(smtp.tally.accepted).toBe(6 - refused.length);
  });

  it('should answer 451 to a message beyond its rate', async () => {
    const time = manual();
    const smtp = await new FakeSmtp({ connections: 3, rate: { perSecond: 1, burst: 2 } }, time.now).start();
    stops.push(() => smtp.stop());
    const t = transport(smtp, 'maxConnections=1');
    await t.sendMail(mail(1));
    await t.sendMail(mail(2));
    await expect(t.sendMail(mail(3))).rejects.toMatchObject({ responseCode: 451, response: expect.stringContaining('4.7.1 Rate limit exceeded') });
    time.advance(1000);
    await t.sendMail(mail(4));
    expect(smtp.tally).toMatchObject({ accepted: 3, refused: 1 });
  });
});
