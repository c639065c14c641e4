/**
 * Issue 17, "Sending at the platforms' limits": 5,000 messages per platform through the
 * service's Dispatcher and its real Slack, Teams and e-mail senders into fakes on 127.0.0.1
 * that refuse beyond their limits as the platforms do (test/support/fake-platforms: 429 with
 * Retry-After; SMTP 421 beyond the connections, 451 beyond the rate). Goals: the achieved rate
 * at least 90% of what the fake allows, and under 1% of requests refused.
 *
 * The per-channel and per-conversation limits are the documented ones; the platform-wide
 * limits are raised to 200 a second so a run takes about 30 s instead of Teams' 100 s at 50 a
 * second (and Slack's 17 minutes at 5). The service is told the same limits through its own
 * settings (SLACK_MESSAGES_PER_SECOND, …), a little below them; senders are pointed at the
 * fakes through SLACK_API_URL, SMTP_URL and the conversation references' serviceUrl, all read
 * by loadConfig as at start-up.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.js';
import type { Db } from '../src/db/db.port.js';
import type { PacingSettings } from '../src/delivery/platform-pacing.js';
import { createLogger } from '../src/log.js';
import type { ChannelAdapter } from '../src/ports/channel.port.js';
import { dispatcherFor, emailSender, queueMessages, sendAll, slackSender, teamsAddress, teamsSender, type Platform, type Target } from '../test/support/fake-platforms/outbox-run.js';
import type { Tally } from '../test/support/fake-platforms/limits.js';
import { FakeSlack, SLACK_LIMITS } from '../test/support/fake-platforms/slack.js';
import { FakeSmtp } from '../test/support/fake-platforms/smtp.js';
import { FakeBotConnector, TEAMS_LIMITS } from '../test/support/fake-platforms/teams.js';
import { freshPglite, freshPostgres, postgresUrl, redact } from './databases.js';
import { int, s, yesNo, type Report } from './support.js';

const COUNT = Number(process.env.PLATFORM_LIMITS_MESSAGES ?? 5000);
/** What each fake allows platform-wide, a second. */
const ALLOWED = 200;
const log = createLogger('silent');
/** For comparison in the same run: this many messages, no limit at the fake, pacing at its highest setting (not a ceiling: a batch of 100 sent at once waits for its slowest). */
const CEILING_COUNT = 2000;
const NO_LIMIT = { perSecond: 1e9, burst: 1e9 };
const NO_WINDOW = { count: 1e9, perMs: 1000 };
const UNPACED = Object.fromEntries(
  ['SLACK', 'SLACK_CHANNEL', 'TEAMS', 'TEAMS_CONVERSATION', 'SMTP'].flatMap((p) => [[`${p}_MESSAGES_PER_SECOND`, '10000'], [`${p}_BURST`, '10000']]),
);

interface Case {
  platform: Platform;
  what: string;
  /** The settings an operator would write for this deployment. */
  env: Record<string, string>;
  /** `open`: no limit at the fake (the engine's own ceiling in this run). */
  start(count: number, open: boolean): Promise<{ tally: Tally; targets: Target[]; settings: (url: string) => Record<string, string>; url: string; stop(): Promise<void>; extra?: () => string }>;
  sender(config: ReturnType<typeof loadConfig>): ChannelAdapter;
}

const CASES: Case[] = [
  {
    platform: 'slack',
    what: `Slack, ${int(COUNT)} messages: ${int(COUNT * 0.6)} DMs and ${int(COUNT * 0.4)} to 250 channels`,
    // Pacing a little under the fake's 200 a second with a smaller burst: sends held up together
    // by a pause of this process (GC, a query) must not exceed the platform's burst.
    env: { SLACK_MESSAGES_PER_SECOND: '190', SLACK_BURST: '20', SLACK_CHANNEL_MESSAGES_PER_SECOND: '1', SLACK_CHANNEL_BURST: '2' },
    async start(count, open) {
      const fake = await new FakeSlack({ limits: open ? 'none' : { perChannel: SLACK_LIMITS.perChannel, workspace: { perSecond: ALLOWED, burst: 40 } } }).start();
      // Two in five to a channel, in turn: each channel gets one about every 3 s.
      const targets: Target[] = Array.from({ length: count }, (_, i) => (i % 5 < 2 ? { place: `C${String(i % 250).padStart(4, '0')}` } : { person: `U${i}` }));
      return { tally: fake.tally, targets, url: fake.url, settings: (url) => ({ SLACK_BOT_TOKEN: 'xoxb-bench', SLACK_SIGNING_SECRET: 'bench-signing-secret-0123456789', SLACK_API_URL: `${url}/api/` }), stop: () => fake.stop() };
    },
    sender: (config) => slackSender(config.slack!.apiUrl!, log),
  },
  {
    platform: 'teams',
    what: `Teams, ${int(COUNT)} messages to 1,000 conversations`,
    // The app's limit is "per second" as a window: bursts count inside it, so 185 + 5 ≤ 200.
    env: { TEAMS_DEV_NO_AUTH: '1', TEAMS_MESSAGES_PER_SECOND: '185', TEAMS_BURST: '5' },
    async start(count, open) {
      const fake = await new FakeBotConnector(open ? { perConversation: [NO_WINDOW], perApp: [NO_WINDOW] } : { perConversation: TEAMS_LIMITS.perConversation, perApp: [{ count: ALLOWED, perMs: 1000 }] }).start();
      const targets: Target[] = Array.from({ length: count }, (_, i) => ({ person: teamsAddress(fake.url, `a:conversation-${i % 1000}`) }));
      return { tally: fake.tally, targets, url: fake.url, settings: () => ({}), stop: () => fake.stop() };
    },
    sender: () => teamsSender(log),
  },
  {
    platform: 'email',
    what: `e-mail, ${int(COUNT)} messages through a relay allowing 3 connections`,
    env: { SMTP_MESSAGES_PER_SECOND: '190', SMTP_BURST: '20' },
    async start(count, open) {
      const fake = await new FakeSmtp({ connections: 3, rate: open ? NO_LIMIT : { perSecond: ALLOWED, burst: 40 } }).start();
      const targets: Target[] = Array.from({ length: count }, (_, i) => ({ person: `osoba${i}@example.org` }));
      return {
        tally: fake.tally,
        targets,
        url: fake.smtpUrl(),
        settings: (url) => ({ SMTP_URL: url }),
        stop: () => fake.stop(),
        extra: () => `; at most ${fake.mostOpen} connections open, ${fake.tooMany} refused with 421`,
      };
    },
    sender: (config) => emailSender(config.smtpUrl!, log),
  },
];

export async function platformLimitsBenchmark(report: Report): Promise<void> {
  const pg = await postgresUrl();
  report.note(
    `platform-limits: ${'url' in pg ? `PostgreSQL at ${redact(pg.url)}` : `PGlite (${pg.skip})`}; the fakes run in the bench process on 127.0.0.1; the real clock. ` +
      `Per-channel limits as documented (Slack 1/s per channel, Teams 7/1 s, 8/2 s, 60/30 s per conversation); platform-wide ${ALLOWED}/s. ` +
      'Achieved rate: messages / time from the first claim to the last sent, refused retries included.',
  );
  for (const c of CASES) {
    const ceiling = await once(c, pg, CEILING_COUNT, true);
    const run = await once(c, pg, COUNT, false);
    const rate = run.sent / (run.elapsedMs / 1000);
    const share = rate / ALLOWED;
    const requests = run.tally.accepted + run.tally.refused;
    const refused = run.tally.refused / requests;
    const ceilingRate = ceiling.sent / (ceiling.elapsedMs / 1000);
    report.row(
      `platform-limits: ${c.what}`,
      `${int(run.sent)} sent in ${s(run.elapsedMs)} = ${rate.toFixed(1)}/s, ${(share * 100).toFixed(1)}% of the ${ALLOWED}/s allowed; ${int(run.tally.refused)} of ${int(requests)} requests refused (${(refused * 100).toFixed(2)}%)${run.lost ? `; ${run.lost} lost` : ''}${run.extra}; ` +
        `for comparison, unpaced into fakes without limits (${int(CEILING_COUNT)} messages): ${ceilingRate.toFixed(1)}/s; CPU ${s(run.cpuMs)} of ${s(run.elapsedMs)}`,
      '≥ 90% of allowed, < 1% refused, none lost',
      yesNo(share >= 0.9 && refused < 0.01 && run.lost === 0 && run.sent === COUNT),
    );
  }
}

/** One run of `count` messages through a fresh database and fake; `open`: no limits anywhere. */
async function once(c: Case, pg: Awaited<ReturnType<typeof postgresUrl>>, count: number, open: boolean) {
  const db: Db = 'url' in pg ? await retried(() => freshPostgres(pg.url)) : await freshPglite();
  const fake = await c.start(count, open);
  const config = loadConfig({ DATA_DIR: mkdtempSync(join(tmpdir(), 'koop-bench-limits-')), ...c.env, ...(open ? UNPACED : {}), ...fake.settings(fake.url) });
  const adapter = c.sender(config);
  try {
    await queueMessages(db.db, c.platform, fake.targets, 'bench');
    const pacing: PacingSettings = config.pacing;
    const cpu = process.cpuUsage();
    const run = await sendAll(db.db, dispatcherFor(db.db, adapter.sender, pacing, log), 150_000);
    const used = process.cpuUsage(cpu);
    return { ...run, tally: { accepted: fake.tally.accepted, refused: fake.tally.refused }, extra: fake.extra?.() ?? '', cpuMs: (used.user + used.system) / 1000 };
  } finally {
    await adapter.stop().catch(() => undefined);
    await fake.stop();
    await db.close();
  }
}

/**
 * The shared test server's other users create and drop schemas all the time; a migration that
 * meets one vanishing under it fails with "schema … does not exist". Tried again, up to three times.
 */
async function retried<T>(make: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await make();
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
}
