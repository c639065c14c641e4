import { dataDirProblem, type Config } from './config.js';

type Coded = Error & { code?: string; syscall?: string; address?: string; port?: number; hostname?: string; path?: string; errors?: unknown[]; data?: { error?: string } };

// Node's TLS codes for a certificate PostgreSQL's sslmode=verify-ca/verify-full does not accept.
const CERTIFICATE_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'ERR_TLS_CERT_ALTNAME_INVALID',
]);

// Node's happy-eyeballs connect wraps one error per address in an AggregateError that carries the first one's code.
function codeOf(error: Coded): string | undefined {
  return error.code ?? (error.errors?.[0] as Coded | undefined)?.code;
}

function databaseAt(url: string): { host: string; port: string; database: string } {
  const parsed = new URL(url);
  return { host: parsed.hostname, port: parsed.port || '5432', database: decodeURIComponent(parsed.pathname.slice(1)) };
}

/**
 * A start-up failure the operator can fix, as one line (like a bad setting): the setting, what
 * is wrong, what to do. Undefined for anything else, which keeps its stack for a bug report.
 * The password in DATABASE_URL is never repeated.
 */
export function operatorMessage(error: unknown, config: Config): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const e = error as Coded;
  const code = codeOf(e);
  if (e.syscall === 'listen' || (e.syscall === 'getaddrinfo' && e.hostname === config.host)) {
    const where = `${config.host}:${config.port}`;
    if (code === 'EADDRINUSE') return `PORT: ${where} is already in use by another process. Stop that process, or choose a free port, e.g. PORT=${config.port === 3000 ? 3001 : 3000}`;
    if (code === 'EACCES') return `PORT: this user may not listen on port ${config.port}. Use a port above 1023 (e.g. PORT=3000) behind a proxy`;
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAFNOSUPPORT')
      return `HOST: ${config.host} is not an address of this machine (${code}). Use one of its addresses, 127.0.0.1 for this machine only or HOST=0.0.0.0 for every interface`;
  }
  if (config.databaseUrl) {
    const db = databaseAt(config.databaseUrl);
    const at = `${db.host}:${db.port}`;
    const example = 'e.g. postgres://kooperator:secret@db.example.org:5432/kooperator';
    // A Unix socket (postgres://…?host=/var/run/postgresql): no socket file means PostgreSQL is not running there.
    if (e.syscall === 'connect' && e.address?.startsWith('/') && (code === 'ENOENT' || code === 'ECONNREFUSED'))
      return `DATABASE_URL: no PostgreSQL listens on the socket ${e.address} (${code}). Start PostgreSQL, or fix host= in DATABASE_URL, ${example}`;
    if (/does not support SSL/i.test(e.message))
      return `DATABASE_URL: PostgreSQL at ${at} does not offer TLS, which DATABASE_URL asks for (sslmode). Turn on ssl in PostgreSQL, or drop sslmode from DATABASE_URL on a trusted network`;
    if (code && CERTIFICATE_CODES.has(code))
      return `DATABASE_URL: the TLS certificate of PostgreSQL at ${at} is not trusted (${code}). Give its CA with sslrootcert=/path/ca.pem in DATABASE_URL, or use sslmode=require to encrypt without checking it`;
    if (code === 'ECONNREFUSED') return `DATABASE_URL: nothing accepts connections at ${at} (connection refused). Start PostgreSQL there, or fix the host and port in DATABASE_URL, ${example}`;
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `DATABASE_URL: the host ${db.host} is not known (${code}). Fix the host in DATABASE_URL, ${example}`;
    // Waits for a lock mean a busy database, not a network problem.
    if (code === 'LOCK_WAIT_TIMEOUT')
      return `DATABASE_URL: PostgreSQL at ${at} answers, but this process ${e.message}. Another replica migrating, or a transaction left open: see pg_stat_activity there`;
    if (code === '57014' || code === '55P03')
      return `DATABASE_URL: PostgreSQL at ${at} cancelled a statement (${code}, statement_timeout or lock_timeout set for this role or database). Raise or unset it for the Kooperator user`;
    if (code === 'ETIMEDOUT' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || (!code && /timeout/i.test(e.message)))
      return `DATABASE_URL: PostgreSQL at ${at} did not answer in time (${code ?? 'timeout'}). Check that it runs and that a firewall lets this machine reach it`;
    if (code === '3D000') return `DATABASE_URL: the database "${db.database}" does not exist on ${at}. Create it (createdb ${db.database}, or CREATE DATABASE "${db.database}") or name an existing one`;
    if (code === '28P01' || code === '28000') return `DATABASE_URL: PostgreSQL at ${at} refused the user or password (${code}). Fix them in DATABASE_URL, ${example}`;
  }
  if (config.slack && code?.startsWith('slack_')) return slackMessage(e, code);
  if (code && ['EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'EEXIST', 'ENOTDIR'].includes(code) && e.path?.startsWith(config.dataDir))
    return dataDirProblem(config.dataDir, code);
  return undefined;
}

/** Slack's Web API errors at start-up (Socket Mode opens its connection then). */
function slackMessage(e: Coded, code: string): string {
  if (code === 'slack_webapi_platform_error')
    return `SLACK_BOT_TOKEN/SLACK_APP_TOKEN: Slack refused them (${e.data?.error ?? 'error'}). Copy the tokens again from your Slack app's settings`;
  return `SLACK_API_URL: Slack could not be reached (${e.message}). Check that this machine reaches slack.com (DNS, proxy, firewall) and SLACK_API_URL if set; or unset SLACK_APP_TOKEN and SLACK_BOT_TOKEN to run without Slack`;
}
