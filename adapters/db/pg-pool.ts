import type pgModule from 'pg';
import type { PostgresPool, PostgresPoolClient } from 'kysely';
import { precedence, PrecedenceGate } from '../../src/precedence.js';
import { sendQuery, statementNames } from './named-statements.js';

export interface PoolLimits {
  /** How long connecting, and each query, may take before it fails (a frozen database or network). */
  timeoutMs: number;
  max: number;
  /** A pooled connection broke while idle (PostgreSQL restarted, an admin ended it). */
  onError: (error: Error) => void;
  /**
   * Send repeated statements under names, prepared once per connection (named-statements.ts;
   * default true). Off for a pooler in transaction mode that cannot keep prepared statements.
   */
  namedStatements?: boolean;
}

/** Settings every connection gets: time limits, and TCP keep-alive (from 10 s idle) so a silent peer is noticed. */
export function connectionLimits(timeoutMs: number): Pick<pgModule.ClientConfig, 'connectionTimeoutMillis' | 'query_timeout' | 'keepAlive' | 'keepAliveInitialDelayMillis'> {
  return { connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs, keepAlive: true, keepAliveInitialDelayMillis: 10_000 };
}

/**
 * Statements that may wait for another session: a lock (Kysely's migration lock, the import's
 * advisory lock, SELECT … FOR UPDATE without SKIP LOCKED) or schema changes, which wait for
 * every transaction on their table and may themselves take long. Their waiting means the
 * database is busy, not gone, so the time limit meant for a frozen database or network does not
 * cut them; they get LOCK_WAIT_MS instead (and TCP keep-alive still notices a dead peer).
 */
const WAITS_FOR_OTHERS = /\bpg_advisory(?:_xact)?_lock\s*\(|\bfor\s+(?:no\s+key\s+)?(?:update|share)\b(?![\s\S]*\bskip\s+locked\b)|^\s*(?:create|alter|drop)\b/i;
export const LOCK_WAIT_MS = 15 * 60_000;
const ADVISORY_LOCK = /\bpg_advisory(?:_xact)?_lock\s*\(/i;

export function waitsForOthers(text: string): boolean {
  return WAITS_FOR_OTHERS.test(text);
}

/** A lock wait that outlasted LOCK_WAIT_MS: someone holds a lock that long (a stuck transaction). */
export class LockWaitTimeoutError extends Error {
  readonly code = 'LOCK_WAIT_TIMEOUT';
  constructor(statement: string) {
    super(`waited ${LOCK_WAIT_MS / 60_000} min for a lock another session holds, or for a migration or import under one: ${statement.replace(/\s+/g, ' ').trim().slice(0, 80)}`);
  }
}

/**
 * pg's Pool as Kysely uses it, made to outlive the database's restarts. Without an `error`
 * listener an idle connection ended by PostgreSQL (restart, pg_terminate_backend) is an uncaught
 * exception that kills the process. And a query that timed out leaves its connection waiting for
 * an answer that may never come: handed back to the pool as it is, every later query on it
 * would wait behind it. Such a connection is destroyed when it is released instead.
 * (Connections are also listened to while lent out: pg-pool leaves that to its user.)
 *
 * Work that is not a request's own (the dispatcher, background planning: src/precedence.ts)
 * never holds the last connection: it takes one of max − 1 places first, handed out by
 * precedence (the dispatcher before planning), so a request always finds a connection free or
 * soon free, not behind a queue of a re-plan's statements. A pool of one connection (the admin
 * and one-off connections) has none to keep back: there every piece of work, requests too, waits
 * at that one gate, the lowest level first, as at PGlite's one connection; otherwise a request
 * would pass the gate and queue first come, first served in pg's pool behind the dispatcher.
 */
export function resilientPool(pg: typeof pgModule, config: pgModule.PoolConfig, limits: PoolLimits): PostgresPool & { raw: pgModule.Pool } {
  const pool = new pg.Pool({ ...config, ...connectionLimits(limits.timeoutMs), max: limits.max });
  pool.on('error', limits.onError);
  const shared = limits.max < 2;
  const gate = new PrecedenceGate(shared ? 1 : limits.max - 1);
  const names = limits.namedStatements === false ? undefined : statementNames;
  return {
    raw: pool,
    end: () => pool.end(),
    async connect(): Promise<PostgresPoolClient> {
      const leave = shared || precedence() !== 'interactive' ? await gate.enter() : undefined;
      let client: pgModule.PoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        leave?.();
        throw error;
      }
      let broken = false;
      // While a connection is lent out the pool does not listen to it: a break now (the database
      // restarting mid-query) would be uncaught. The query in flight fails with it anyway.
      const onBreak = () => void (broken = true);
      client.on('error', onBreak);
      // After an advisory lock (the migration lock, the import's) the rest of that transaction is
      // a migration or an import: long by nature, so the whole of it keeps the longer limit.
      let underLock = false;
      const query = ((...args: unknown[]) => {
        const [text] = args;
        if (typeof text === 'string' && ADVISORY_LOCK.test(text)) underLock = true;
        const waits = typeof text === 'string' && (underLock || waitsForOthers(text));
        const result = sendQuery(client, names, args, waits ? { query_timeout: LOCK_WAIT_MS } : undefined);
        if (result instanceof Promise) {
          return result.catch((error: unknown) => {
            if (error instanceof Error && /timeout|terminated/i.test(error.message)) broken = true;
            if (waits && error instanceof Error && error.message === 'Query read timeout') throw new LockWaitTimeoutError(text as string);
            throw error;
          });
        }
        return result;
      }) as PostgresPoolClient['query'];
      return {
        query,
        release: () => {
          underLock = false;
          client.off('error', onBreak);
          client.release(broken ? true : undefined);
          leave?.();
        },
      };
    },
  };
}
