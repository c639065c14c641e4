import { performance } from 'node:perf_hooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEmailAdapter } from '../../adapters/email/index.js';
import { createSlackAdapter } from '../../adapters/slack/index.js';
import { createTeamsAdapter } from '../../adapters/teams/index.js';
import { Bot } from '../../src/bot/bot.js';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { enqueue, type PlannedDelivery } from '../../src/delivery/outbox.js';
import { createLogger } from '../../src/log.js';
import type { BotPort, ChannelAdapter, ChannelKind, ChannelSender, Message } from '../../src/ports/channel.port.js';
import { smtpError, startSmtp, type FakeSmtp } from '../adapters/email/support.js';
import { FakeSlackApi } from '../adapters/slack/fake-slack-api.js';
import { SIGNING_SECRET } from '../adapters/slack/slack-requests.js';
import { FakeConnector } from '../adapters/teams/fake-connector.js';
import { BOT } from '../adapters/teams/harness.js';
import { dialects, demoDatabase } from '../support/databases.js';

/**
 * The real Dispatcher with the real Slack, Teams and e-mail adapters; only the platforms are
 * fake (Slack Web API and Bot Connector on loopback, a real SMTP server on 127.0.0.1). The
 * clock is moved, never waited for: a send held inside a platform client would show as a
 * drain that takes real seconds.
 */
const log = createLogger('silent');
const clock = new FixedClock('2027-01-04T08:00:00Z');
const idleBot: BotPort = {
  handle: async () => ({ language: 'pl', title: 'OK', text: 'OK' }),
  home: async () => ({ language: 'pl', title: 'OK', text: 'OK' }),
  handleOnce: async () => undefined, seenBefore: async () => false, firstTime: async () => true,
  linkPlace: async () => undefined,
};
const notice: Message = { language: 'pl', title: 'Zmiana sali', text: 'Spotkanie odbędzie się w **sali 14**.' };

let slackApi: FakeSlackApi;
let connector: FakeConnector;
let slack: ChannelAdapter;
let teams: ChannelAdapter;
beforeAll(async () => {
  slackApi = await new FakeSlackApi().start();
  connector = await new FakeConnector().start();
  slack = createSlackAdapter({ botToken: 'xoxb-test', signingSecret: SIGNING_SECRET, apiUrl: `${slackApi.url}/api/`, botId: 'B', botUserId: 'U', bot: idleBot, log, publicUrl: 'https://koop.example.org' });
  teams = createTeamsAdapter({ devNoAuth: true, bot: idleBot, log, publicUrl: 'https://koop.example.org', connectorTimeoutMs: 1000 });
});
afterAll(async () => {
  await slackApi?.stop();
  await connector?.stop();
});

describe.each(dialects)('the dispatcher through the real adapters on %s', (kind) => {
  let db: Db;
  const people: Record<string, number> = {};
  const cleanups: (() => Promise<void>)[] = [];
  let key = 0;

  beforeAll(async () => {
    db = await demoDatabase(kind, clock);
    for (const p of await db.db.selectFrom('people').select(['id', 'email']).execute()) people[p.email] = p.id;
    await db.db
      .insertInto('person_channels')
      .values([
        { person_id: people['anna.nowak@example.org']!, channel: 'slack', external_id: 'UANNA', address: 'UANNA' },
        {
          person_id: people['marta.grabowska@example.org']!,
          channel: 'teams',
          external_id: 'aad-marta',
          address: JSON.stringify({
            channelId: 'msteams',
            serviceUrl: connector.url,
            conversation: { id: 'a:personal-marta', conversationType: 'personal', tenantId: 'tenant-1' },
            bot: BOT,
            user: { id: '29:marta', aadObjectId: 'aad-marta' },
          }),
        },
      ])
      .execute();
  });
  afterAll(async () => db?.close());
  afterEach(async () => {
    clock.set('2027-01-04T08:00:00Z');
    slackApi.calls.splice(0);
    connector.calls.length = 0;
    connector.failures.length = 0;
    while (cleanups.length) await cleanups.pop()!();
  });

  const dispatcher = (senders: ChannelSender[]) =>
    new Dispatcher({ db: db.db, clock, log, workerId: 'w1', random: () => 0.5, senders: new Map<ChannelKind, ChannelSender>(senders.map((s) => [s.kind, s])) });
  const queue = async (email: string, channels: ChannelKind[]) => {
    const planned: PlannedDelivery = { key: `e2e-${++key}`, kind: 'notice', personId: people[email]!, teamId: 'lodz', channels, payload: notice, dueAt: clock.now() };
    await enqueue(db.db, [planned]);
    return planned.key;
  };
  const row = (k: string) => db.db.selectFrom('deliveries').selectAll().where('dedupe_key', '=', k).executeTakeFirstOrThrow();
  /** A drain, timed in real milliseconds. */
  const drain = async (d: Dispatcher) => {
    const started = performance.now();
    const report = await d.drain();
    return { ...report, realMs: performance.now() - started };
  };
  const smtp = async (refuse: Parameters<typeof startSmtp>[0]): Promise<{ server: FakeSmtp; email: ChannelAdapter }> => {
    const server = await startSmtp(refuse);
    const email = createEmailAdapter({ smtpUrl: `smtp://127.0.0.1:${server.port}?ignoreTLS=true`, outboxDir: '/nonexistent/outbox', from: '"Kooperator" <k@example.org>', log });
    cleanups.push(() => server.close(), () => email.stop());
    return { server, email };
  };

  it('should wait out Slack\'s 429 Retry-After: 2 and then deliver exactly one message, with no retry inside the WebClient', async () => {
    const k = await queue('anna.nowak@example.org', ['slack']);
    slackApi.failNext('chat.postMessage', { status: 429, headers: { 'retry-after': '2' }, body: { ok: false, error: 'ratelimited' } });
    const d = dispatcher([slack.sender]);

    const first = await drain(d);
    expect(first).toMatchObject({ sent: 0, retried: 1 });
    // Neither retried nor slept on inside the client: one request, and back in well under the 2 s.
    expect(slackApi.callsTo('chat.postMessage')).toHaveLength(1);
    expect(first.realMs).toBeLessThan(1500);
    const waiting = await row(k);
    expect(waiting).toMatchObject({ state: 'pending', attempts: 0, last_error: 'slack: ratelimited' });
    const wait = waiting.next_attempt_at.getTime() - clock.now().getTime();
    expect(wait).toBeGreaterThanOrEqual(2000);
    expect(wait).toBeLessThanOrEqual(2200);

    clock.advance(1900);
    expect(await drain(d)).toMatchObject({ sent: 0, retried: 0 });
    expect(slackApi.callsTo('chat.postMessage')).toHaveLength(1);

    clock.advance(300);
    expect(await drain(d)).toMatchObject({ sent: 1 });
    const posts = slackApi.callsTo('chat.postMessage');
    expect(posts).toHaveLength(2);
    expect(posts[1]!.params).toMatchObject({ channel: 'UANNA', text: expect.stringContaining('Zmiana sali') });
    expect(await row(k)).toMatchObject({ state: 'sent', sent_channel: 'slack', provider_id: expect.stringMatching(/^UANNA:\d+\.\d+$/) });
    clock.advance(3_600_000);
    expect(await drain(d)).toMatchObject({ sent: 0 });
    expect(slackApi.callsTo('chat.postMessage')).toHaveLength(2);
  });

  it('should retry a Slack 5xx only in the engine, after its backoff', async () => {
    const k = await queue('anna.nowak@example.org', ['slack']);
    slackApi.failNext('chat.postMessage', { status: 503, body: { ok: false } });
    const d = dispatcher([slack.sender]);
    const first = await drain(d);
    expect(first).toMatchObject({ retried: 1 });
    expect(first.realMs).toBeLessThan(1500);
    expect(slackApi.callsTo('chat.postMessage')).toHaveLength(1);
    // Backoff for a first failure with no Retry-After: 15–30 s (22.5 s with random pinned at 0.5).
    expect((await row(k)).next_attempt_at.getTime() - clock.now().getTime()).toBe(22_500);
    clock.advance(22_500);
    expect(await drain(d)).toMatchObject({ sent: 1 });
    expect(slackApi.callsTo('chat.postMessage')).toHaveLength(2);
  });

  it.each([
    ['429 with Retry-After: 2', { status: 429, headers: { 'retry-after': '2' }, body: { error: { code: 'Throttled', message: 'slow down' } } }, 2000],
    ['503', { status: 503 }, 22_500],
  ] as const)('should deliver exactly one Teams message after a %s, the connector not retrying by itself', async (_name, failure, waitMs) => {
    const k = await queue('marta.grabowska@example.org', ['teams', 'email']);
    connector.failures.push(failure);
    const d = dispatcher([teams.sender]);

    const first = await drain(d);
    expect(first).toMatchObject({ sent: 0, retried: 1 });
    expect(connector.activities()).toHaveLength(1);
    expect(first.realMs).toBeLessThan(1500);
    const waiting = await row(k);
    expect(waiting).toMatchObject({ state: 'pending', channel_index: 0, last_error: expect.stringContaining(String(failure.status)) });
    const wait = waiting.next_attempt_at.getTime() - clock.now().getTime();
    expect(wait).toBeGreaterThanOrEqual(waitMs);
    expect(wait).toBeLessThanOrEqual(waitMs * 1.1);

    clock.advance(wait - 100);
    expect(await drain(d)).toMatchObject({ sent: 0 });
    expect(connector.activities()).toHaveLength(1);
    clock.advance(100);
    expect(await drain(d)).toMatchObject({ sent: 1 });
    expect(connector.activities()).toHaveLength(2);
    expect(connector.activities()[1]!.conversationId).toBe('a:personal-marta');
    expect(await row(k)).toMatchObject({ state: 'sent', sent_channel: 'teams', provider_id: expect.stringMatching(/^activity-\d+$/) });
  });

  it('should deliver exactly one e-mail when the SMTP server answers 451 and then 250', async () => {
    const { server, email } = await smtp({ rcpt: (n) => (n === 1 ? smtpError(451, '4.7.1 Greylisted, try again later') : undefined) });
    const k = await queue('katarzyna.wisniewska@example.org', ['email']);
    const d = dispatcher([email.sender]);

    expect(await drain(d)).toMatchObject({ sent: 0, retried: 1 });
    expect(server.mails).toHaveLength(0);
    expect(await row(k)).toMatchObject({ state: 'pending', last_error: expect.stringContaining('451 4.7.1 Greylisted') });

    clock.advance(22_500);
    expect(await drain(d)).toMatchObject({ sent: 1 });
    expect(server.mails).toHaveLength(1);
    expect(server.mails[0]!.subject).toBe('Zmiana sali');
    expect(server.mails[0]!.to).toMatchObject({ text: 'katarzyna.wisniewska@example.org' });
    clock.advance(3_600_000);
    expect(await drain(d)).toMatchObject({ sent: 0 });
    expect(server.mails).toHaveLength(1);
  });

  it('should keep a 550 as a dead letter with the server\'s reason, shown to the team\'s coordinator by "dostarczenia"', async () => {
    const { server, email } = await smtp({ rcpt: () => smtpError(550, '5.1.1 Mailbox katarzyna.wisniewska does not exist') });
    const k = await queue('katarzyna.wisniewska@example.org', ['email']);

    expect(await drain(dispatcher([email.sender]))).toMatchObject({ failed: 1 });
    expect(server.mails).toHaveLength(0);
    expect(await row(k)).toMatchObject({ state: 'failed', attempts: 1, last_error: 'email: 550 5.1.1 Mailbox katarzyna.wisniewska does not exist' });

    const bot = new Bot({ db: db.db, clock, publicUrl: 'https://koop.example.org', appSecret: 'k'.repeat(40), log });
    const asked = (email: string) => bot.handle({ type: 'command', from: { channel: 'console', email }, command: 'dostarczenia', text: '' });
    const answer = await asked('anna.nowak@example.org');
    const item = answer.items?.find((i) => i.title === 'Katarzyna Wiśniewska <katarzyna.wisniewska@example.org>');
    expect(item, JSON.stringify(answer)).toBeDefined();
    // Issue 14: the reason in the coordinator's language, the server's words only beside it; no internal names.
    expect(item!.lines).toContain(
      'Serwer poczty odbiorcy odrzucił adres: skrzynka nie istnieje albo adres jest błędny. Proszę sprawdzić adres w harmonogramie. (szczegóły techniczne: 550 5.1.1 Mailbox katarzyna.wisniewska does not exist)',
    );
    expect(item!.lines[0]).toMatch(/^powiadomienie · (?!lodz$)/);
    // A plain member of the team does not see it.
    expect((await asked('marta.grabowska@example.org')).items).toBeUndefined();
  });
});
