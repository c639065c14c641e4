import { dataDirProblem, type Config } from './config.js';

type Coded = Error & { code?: string; syscall?: string; address?: string; port?: number; hostname?: string; path?: string; errors?: unknown[] };

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
    if (code === 'ECONNREFUSED') return `DATABASE_URL: nothing accepts connections at ${at} (connection refused). Start PostgreSQL there, or fix the host and port in DATABASE_URL, ${example}`;
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `DATABASE_URL: the host ${db.host} is not known (${code}). Fix the host in DATABASE_URL, ${example}`;
    if (code === 'ETIMEDOUT' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || /timeout/i.test(e.message))
      return `DATABASE_URL: PostgreSQL at ${at} did not answer in time (${code ?? 'timeout'}). Check that it runs and that a firewall lets this machine reach it`;
    if (code === '3D000') return `DATABASE_URL: the database "${db.database}" does not exist on ${at}. Create it (createdb ${db.database}, or CREATE DATABASE "${db.database}") or name an existing one`;
    if (code === '28P01' || code === '28000') return `DATABASE_URL: PostgreSQL at ${at} refused the user or password (${code}). Fix them in DATABASE_URL, ${example}`;
  }
  if (code && ['EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'EEXIST', 'ENOTDIR'].includes(code) && e.path?.startsWith(config.dataDir))
    return dataDirProblem(config.dataDir, code);
  return undefined;
}
