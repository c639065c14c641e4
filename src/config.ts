import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { isZone } from './domain/local-time.js';
import { DEFAULT_EARLY_SEND_MAX_MS } from './delivery/dispatcher-options.js';
import { DEFAULT_PACING, type PacingSettings } from './delivery/platform-pacing.js';

/** Everything the service reads from its environment, validated once and frozen. */
export interface Config {
  readonly port: number;
  readonly host: string;
  readonly publicUrl: string;
  /** PUBLIC_URL was unset: links use the address the service listens on (main.ts fixes the port after listening). */
  readonly publicUrlFromListener: boolean;
  readonly databaseUrl: string | undefined;
  /** PostgreSQL: how long connecting and each query may take before they fail. */
  readonly databaseTimeoutMs: number;
  /** PostgreSQL: repeated statements go under names, prepared once per connection (adapters/db/named-statements.ts); off behind a pooler that cannot keep them. */
  readonly databasePreparedStatements: boolean;
  readonly dataDir: string;
  readonly appSecret: string;
  readonly smtpUrl: string | undefined;
  readonly mailFrom: string;
  /** IMAP_URL: the inbound mailbox read for replies and bounces (docs/inbound-mail.md); unset: none. Holds a password: never logged. */
  readonly imapUrl: string | undefined;
  /** INBOUND_SMTP_PORT: a receiving SMTP listener on HOST (docs/inbound-mail.md); unset: none. */
  readonly inboundSmtpPort: number | undefined;
  readonly slack: { botToken: string; signingSecret: string; appToken?: string; apiUrl?: string } | undefined;
  readonly teams:
    | { appId: string; appPassword: string; appType: string; tenantId?: string; devNoAuth: false }
    | { devNoAuth: true }
    | undefined;
  readonly defaultTimezone: string;
  readonly logLevel: string;
  readonly production: boolean;
  /** Delivery payloads and logs older than this are purged daily (src/privacy/retention.ts). */
  readonly retentionMonths: number;
  /** PostgreSQL: a replica whose heartbeat is older than this is dead; the others take its claimed deliveries. */
  readonly replicaTimeoutMs: number;
  /** How fast each platform is sent to (src/delivery/platform-pacing.ts; docs/delivery-engine.md, "Pacing"). */
  readonly pacing: PacingSettings;
  /**
   * How far ahead of their due time reminders may be sent, at most, so that a lump of them is
   * out by its due time (EARLY_SEND_MAX_SECONDS; 0: never early; docs/delivery-engine.md).
   */
  readonly earlySendMaxMs: number;
  /**
   * PGlite: PostgreSQL's shared_buffers in MB. Its WASM memory grows to hold them once they are
   * used and never shrinks, so this is most of the embedded database's resident memory (docs/operations.md#memory).
   */
  readonly pgliteSharedBuffersMb: number;
}

/** A setting that cannot be used: start-up stops with this one line. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(readonly variable: string, problem: string, example: string) {
    super(`${variable}: ${problem}. Example of a good value: ${example}`);
  }
}

/** DATA_DIR exists but cannot be used (a file, read-only, full): start-up stops with this one line. */
export class DataDirError extends Error {
  readonly code = 'DATA_DIR_UNUSABLE';
  constructor(readonly dataDir: string, readonly reason: string | undefined) {
    super(dataDirProblem(dataDir, reason));
  }
}

/** The one line for a data folder this process cannot use, by the error's code. */
export function dataDirProblem(dataDir: string, code: string | undefined): string {
  if (code === 'EEXIST' || code === 'ENOTDIR')
    return `DATA_DIR: ${dataDir} is a file (or lies under one), not a folder (${code}). Name a folder, e.g. DATA_DIR=./data`;
  if (code === 'ENOSPC') return `DATA_DIR: the disk of ${dataDir} is full (ENOSPC). Free some space or choose another folder, e.g. DATA_DIR=./data`;
  return `DATA_DIR: cannot write to ${dataDir} (${code ?? 'error'}). Give this user a writable folder, e.g. DATA_DIR=./data`;
}

type Env = Record<string, string | undefined>;

const blankToUndefined = (value: unknown) => (value === '' ? undefined : value);
const optionalText = z.preprocess(blankToUndefined, z.string().optional());
const isUrl = (protocols: string[]) => (value: string) => {
  try {
    return protocols.includes(new URL(value).protocol);
  } catch {
    return false;
  }
};

/** imaps:// or imap:// with a user and a password (a mailbox path is optional: INBOX). */
const isImapUrl = (value: string) => {
  try {
    const url = new URL(value);
    // The reader decodes user, password and mailbox (imap-reader.ts imapSettings): a bare % (50%off)
    // must stop the start here, with this one line, not throw "URI malformed" later.
    for (const part of [url.username, url.password, url.pathname]) decodeURIComponent(part);
    return (url.protocol === 'imaps:' || url.protocol === 'imap:') && url.hostname !== '' && url.username !== '' && url.password !== '';
  } catch {
    return false;
  }
};

/** A pacing rate: messages a second, decimals allowed (0.5 is one every two seconds). */
const perSecond = (fallback: number) => [
  // At least one message in 100 s: a smaller rate (1e-300) puts a paced send back past any
  // date a Date can hold, and no platform's limit is near it.
  z.preprocess(blankToUndefined, z.coerce.number().min(0.01).max(10_000).default(fallback)),
  String(fallback),
  'must be a number of messages a second from 0.01 to 10000 (decimals allowed, e.g. 0.5)'] as const;
/** A pacing burst: how many may go at once before the rate holds them. */
const burst = (fallback: number) => [
  z.preprocess(blankToUndefined, z.coerce.number().int().min(1).max(10_000).default(fallback)),
  String(fallback),
  'must be a whole number of messages from 1 to 10000'] as const;

// Each rule carries the example the operator sees when the value is wrong.
const rules = {
  PORT: [z.preprocess(blankToUndefined, z.coerce.number().int().min(0).max(65535).default(3000)), '3000', 'must be a whole number from 0 to 65535'],
  HOST: [z.preprocess(blankToUndefined, z.string().min(1).default('127.0.0.1')), '0.0.0.0', 'must be a host name or IP address'],
  PUBLIC_URL: [
    z.preprocess(blankToUndefined, z.string().refine(isUrl(['http:', 'https:'])).optional()),
    'https://kooperator.example.org',
    'must be an http:// or https:// address'],
  DATABASE_URL: [
    z.preprocess(blankToUndefined, z.string().refine(isUrl(['postgres:', 'postgresql:'])).optional()),
    'postgres://kooperator:secret@db:5432/kooperator',
    'must be a postgres:// address'],
  DATABASE_TIMEOUT_SECONDS: [
    z.preprocess(blankToUndefined, z.coerce.number().int().min(1).max(600).default(30)),
    '30',
    'must be a whole number of seconds from 1 to 600'],
  DATABASE_PREPARED_STATEMENTS: [
    z.preprocess(blankToUndefined, z.enum(['on', 'off']).default('on')),
    'off',
    'must be on or off'],
  DATA_DIR: [z.preprocess(blankToUndefined, z.string().min(1).default('./data')), './data', 'must be a folder path'],
  APP_SECRET: [z.preprocess(blankToUndefined, z.string().min(32).optional()), 'a random string of at least 32 characters, e.g. from `openssl rand -hex 32`', 'must be at least 32 characters long'],
  SMTP_URL: [
    z.preprocess(blankToUndefined, z.string().refine(isUrl(['smtp:', 'smtps:'])).optional()),
    'smtp://user:password@mail.example.org:587',
    'must be an smtp:// or smtps:// address'],
  IMAP_URL: [
    z.preprocess(blankToUndefined, z.string().refine(isImapUrl).optional()),
    'imaps://kooperator%40example.org:p%40ss%25word@imap.example.org/INBOX',
    'must be an imaps:// (or imap://) address with a user and password, e.g. of the mailbox MAIL_FROM names, with @ : / % in them percent-encoded (%40 %3A %2F %25)'],
  INBOUND_SMTP_PORT: [
    z.preprocess(blankToUndefined, z.coerce.number().int().min(1).max(65535).optional()),
    '2525',
    'must be a whole number from 1 to 65535'],
  MAIL_FROM: [optionalText, '"Kooperator RCPS" <kooperator@example.org>', 'must be an e-mail address with an optional name'],
  SLACK_BOT_TOKEN: [z.preprocess(blankToUndefined, z.string().startsWith('xoxb-').optional()), 'xoxb-1234-5678-abcdef', 'must be a bot token starting with xoxb-'],
  SLACK_SIGNING_SECRET: [z.preprocess(blankToUndefined, z.string().min(16).optional()), 'the Signing Secret from your Slack app\'s Basic Information page', 'must be the signing secret of the Slack app (at least 16 characters)'],
  SLACK_APP_TOKEN: [z.preprocess(blankToUndefined, z.string().startsWith('xapp-').optional()), 'xapp-1-A0123-4567-abcdef', 'must be an app-level token starting with xapp-'],
  SLACK_API_URL: [z.preprocess(blankToUndefined, z.string().refine(isUrl(['http:', 'https:'])).optional()), 'https://slack.com/api/', 'must be an http:// or https:// address'],
  MicrosoftAppId: [optionalText, '00000000-0000-0000-0000-000000000000', 'must be the app id of the bot'],
  MicrosoftAppPassword: [optionalText, 'the client secret of the bot\'s Entra ID app', 'must be the client secret of the bot'],
  MicrosoftAppType: [z.preprocess(blankToUndefined, z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).optional()), 'SingleTenant', 'must be MultiTenant, SingleTenant or UserAssignedMSI'],
  MicrosoftAppTenantId: [optionalText, '00000000-0000-0000-0000-000000000000', 'must be a tenant id'],
  TEAMS_DEV_NO_AUTH: [z.preprocess(blankToUndefined, z.enum(['1', '0']).optional()), '1', 'must be 1 or unset'],
  TZ_DEFAULT: [z.preprocess(blankToUndefined, z.string().refine(isZone).default('Europe/Warsaw')), 'Europe/Warsaw', 'must be an IANA time zone name'],
  LOG_LEVEL: [
    z.preprocess(blankToUndefined, z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info')),
    'info',
    'must be one of fatal, error, warn, info, debug, trace, silent'],
  RETENTION_MONTHS: [
    z.preprocess(blankToUndefined, z.coerce.number().int().min(1).max(120).default(12)),
    '12',
    'must be a whole number of months from 1 to 120'],
  REPLICA_TIMEOUT_SECONDS: [
    z.preprocess(blankToUndefined, z.coerce.number().int().min(2).max(600).default(30)),
    '30',
    'must be a whole number of seconds from 2 to 600'],
  SLACK_MESSAGES_PER_SECOND: perSecond(DEFAULT_PACING.slack.perSecond),
  SLACK_BURST: burst(DEFAULT_PACING.slack.burst),
  SLACK_CHANNEL_MESSAGES_PER_SECOND: perSecond(DEFAULT_PACING.slackChannel.perSecond),
  SLACK_CHANNEL_BURST: burst(DEFAULT_PACING.slackChannel.burst),
  TEAMS_MESSAGES_PER_SECOND: perSecond(DEFAULT_PACING.teams.perSecond),
  TEAMS_BURST: burst(DEFAULT_PACING.teams.burst),
  TEAMS_CONVERSATION_MESSAGES_PER_SECOND: perSecond(DEFAULT_PACING.teamsConversation.perSecond),
  TEAMS_CONVERSATION_BURST: burst(DEFAULT_PACING.teamsConversation.burst),
  SMTP_MESSAGES_PER_SECOND: perSecond(DEFAULT_PACING.email.perSecond),
  SMTP_BURST: burst(DEFAULT_PACING.email.burst),
  PACE_RECOVERY_SECONDS: [
    z.preprocess(blankToUndefined, z.coerce.number().int().min(1).max(3600).default(DEFAULT_PACING.recoveryMs / 1000)),
    String(DEFAULT_PACING.recoveryMs / 1000),
    'must be a whole number of seconds from 1 to 3600'],
  EARLY_SEND_MAX_SECONDS: [
    z.preprocess(blankToUndefined, z.coerce.number().int().min(0).max(3600).default(DEFAULT_EARLY_SEND_MAX_MS / 1000)),
    String(DEFAULT_EARLY_SEND_MAX_MS / 1000),
    'must be a whole number of seconds from 0 (never early) to 3600'],
  // PostgreSQL's own default is 128 MB, which PGlite keeps in its WASM memory for good once the
  // working set has touched it; the demo and a few hundred people need far less (issue 17). 16 MB
  // saved 15 MB more but made a 500-team database's feed queries about twice as slow.
  PGLITE_SHARED_BUFFERS_MB: [
    z.preprocess(blankToUndefined, z.coerce.number().int().min(4).max(1024).default(32)),
    '32',
    'must be a whole number of megabytes from 4 to 1024'],
  // Case, spaces and the quotes `docker run --env-file` keeps ("production") are how people
  // write it; anything else is refused, so a typo never turns production's safeguards off.
  NODE_ENV: [
    z.preprocess(
      (value) => (typeof value === 'string' ? blankToUndefined(value.trim().replace(/^(["'])(.*)\1$/, '$2').trim().toLowerCase()) : value),
      z.enum(['development', 'test', 'production']).optional(),
    ),
    'production',
    'must be development, test or production'],
} as const;

type Parsed = { [K in keyof typeof rules]: z.infer<(typeof rules)[K][0]> };

function parseAll(env: Env): Parsed {
  const out: Record<string, unknown> = {};
  for (const [name, [schema, example, problem]] of Object.entries(rules)) {
    const result = (schema as z.ZodType).safeParse(env[name]);
    if (!result.success) {
      throw new ConfigError(name, problem, example);
    }
    out[name] = result.data;
  }
  return out as Parsed;
}

/** Reads and validates the environment. Throws ConfigError naming the first bad variable. */
export function loadConfig(env: Env = process.env): Config {
  const s = parseAll(env);
  const production = s.NODE_ENV === 'production';
  const dataDir = resolve(s.DATA_DIR);

  if ((s.SLACK_BOT_TOKEN === undefined) !== (s.SLACK_SIGNING_SECRET === undefined) && !s.SLACK_APP_TOKEN) {
    const missing = s.SLACK_BOT_TOKEN ? 'SLACK_SIGNING_SECRET' : 'SLACK_BOT_TOKEN';
    throw new ConfigError(missing, 'is required when the other Slack setting is given', rules[missing][1]);
  }
  if (s.SLACK_APP_TOKEN && !s.SLACK_BOT_TOKEN) {
    throw new ConfigError('SLACK_BOT_TOKEN', 'is required with SLACK_APP_TOKEN (Socket Mode)', rules.SLACK_BOT_TOKEN[1]);
  }
  if (s.TEAMS_DEV_NO_AUTH === '1' && production) {
    throw new ConfigError('TEAMS_DEV_NO_AUTH', 'is refused when NODE_ENV=production (it turns off Bot Framework authentication)', 'unset, with MicrosoftAppId and MicrosoftAppPassword set');
  }
  if (s.MicrosoftAppId && !s.MicrosoftAppPassword && s.MicrosoftAppType !== 'UserAssignedMSI') {
    throw new ConfigError('MicrosoftAppPassword', 'is required with MicrosoftAppId', rules.MicrosoftAppPassword[1]);
  }
  if (s.MicrosoftAppType === 'SingleTenant' && !s.MicrosoftAppTenantId) {
    throw new ConfigError('MicrosoftAppTenantId', 'is required when MicrosoftAppType=SingleTenant', rules.MicrosoftAppTenantId[1]);
  }
  if (s.INBOUND_SMTP_PORT !== undefined && s.INBOUND_SMTP_PORT === s.PORT) {
    throw new ConfigError('INBOUND_SMTP_PORT', `must differ from PORT (${s.PORT}), where the web service listens`, rules.INBOUND_SMTP_PORT[1]);
  }
  if (production && !s.APP_SECRET) {
    throw new ConfigError('APP_SECRET', 'is required when NODE_ENV=production', rules.APP_SECRET[1]);
  }

  const slack = s.SLACK_BOT_TOKEN
    ? { botToken: s.SLACK_BOT_TOKEN, signingSecret: s.SLACK_SIGNING_SECRET ?? '', appToken: s.SLACK_APP_TOKEN, apiUrl: s.SLACK_API_URL }
    : undefined;
  const teams: Config['teams'] = s.MicrosoftAppId
    ? {
        appId: s.MicrosoftAppId,
        appPassword: s.MicrosoftAppPassword ?? '',
        appType: s.MicrosoftAppType ?? 'MultiTenant',
        tenantId: s.MicrosoftAppTenantId,
        devNoAuth: false,
      }
    : s.TEAMS_DEV_NO_AUTH === '1'
      ? { devNoAuth: true }
      : undefined;

  return Object.freeze({
    port: s.PORT,
    host: s.HOST,
    publicUrl: s.PUBLIC_URL ? s.PUBLIC_URL.replace(/\/+$/, '') : listenerUrl(s.HOST, s.PORT),
    publicUrlFromListener: !s.PUBLIC_URL,
    databaseUrl: s.DATABASE_URL,
    databaseTimeoutMs: s.DATABASE_TIMEOUT_SECONDS * 1000,
    databasePreparedStatements: s.DATABASE_PREPARED_STATEMENTS === 'on',
    dataDir,
    appSecret: s.APP_SECRET ?? generatedSecret(dataDir),
    smtpUrl: s.SMTP_URL,
    mailFrom: s.MAIL_FROM ?? 'Kooperator <kooperator@localhost>',
    imapUrl: s.IMAP_URL,
    inboundSmtpPort: s.INBOUND_SMTP_PORT,
    slack,
    teams,
    defaultTimezone: s.TZ_DEFAULT,
    logLevel: s.LOG_LEVEL,
    production,
    retentionMonths: s.RETENTION_MONTHS,
    replicaTimeoutMs: s.REPLICA_TIMEOUT_SECONDS * 1000,
    pacing: Object.freeze({
      slack: { perSecond: s.SLACK_MESSAGES_PER_SECOND, burst: s.SLACK_BURST },
      slackChannel: { perSecond: s.SLACK_CHANNEL_MESSAGES_PER_SECOND, burst: s.SLACK_CHANNEL_BURST },
      teams: { perSecond: s.TEAMS_MESSAGES_PER_SECOND, burst: s.TEAMS_BURST },
      teamsConversation: { perSecond: s.TEAMS_CONVERSATION_MESSAGES_PER_SECOND, burst: s.TEAMS_CONVERSATION_BURST },
      email: { perSecond: s.SMTP_MESSAGES_PER_SECOND, burst: s.SMTP_BURST },
      recoveryMs: s.PACE_RECOVERY_SECONDS * 1000,
    }),
    earlySendMaxMs: s.EARLY_SEND_MAX_SECONDS * 1000,
    pgliteSharedBuffersMb: s.PGLITE_SHARED_BUFFERS_MB,
  });
}

const LOOPBACK_OR_ANY = new Set(['127.0.0.1', '::1', '0.0.0.0', '::', 'localhost']);

/**
 * The base of links when PUBLIC_URL is unset: the address the service listens on. A loopback or
 * every-interface listener is reached as localhost on this machine; anything else by its own name.
 */
export function listenerUrl(host: string, port: number): string {
  const name = LOOPBACK_OR_ANY.has(host) ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return `http://${name}:${port}`;
}

/** Outside production the secret for signed links is made once and kept in DATA_DIR. */
// It is written while the settings are read, so its failure is told as a setting's (one line).
function generatedSecret(dataDir: string): string {
  const file = join(dataDir, 'app-secret');
  try {
    if (existsSync(file)) return readFileSync(file, 'utf8').trim();
    mkdirSync(dataDir, { recursive: true });
    const secret = randomBytes(32).toString('hex');
    writeFileSync(file, secret, { mode: 0o600, flag: 'wx' });
    return secret;
  } catch (error) {
    throw new DataDirError(dataDir, (error as NodeJS.ErrnoException).code);
  }
}
