import type pgModule from 'pg';
import type { PostgresPool, PostgresPoolClient } from 'kysely';

export interface PoolLimits {
  /** How long connecting, and each query, may take before it fails (a frozen database or network). */
  timeoutMs: number;
  max: number;
  /** A pooled connection broke while idle (PostgreSQL restarted, an admin ended it). */
  onError: (error: Error) => void;
}

/** Settings every connection gets: time limits, and TCP keep-alive so a silent peer is noticed. */
export function connectionLimits(timeoutMs: number): Pick<pgModule.ClientConfig, 'connectionTimeoutMillis' | 'query_timeout' | 'keepAlive'> {
  return { connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs, keepAlive: true };
}

/**
 * pg's Pool as Kysely uses it, made to outlive the database's restarts. Without an `error`
 * listener an idle connection ended by PostgreSQL (restart, pg_terminate_backend) is an uncaught
 * exception that kills the process. And a query that timed out leaves its connection waiting for
 * an answer that may never come: handed back to the pool as it is, every later query on it
 * would wait behind it. Such a connection is destroyed when it is released instead.
 * (Connections are also listened to while lent out: pg-pool leaves that to its user.)
 */
export function resilientPool(pg: typeof pgModule, config: pgModule.PoolConfig, limits: PoolLimits): PostgresPool & { raw: pgModule.Pool } {
  const pool = new pg.Pool({ ...config, ...connectionLimits(limits.timeoutMs), max: limits.max });
  pool.on('error', limits.onError);
  return {
    raw: pool,
    end: () => pool.end(),
    async connect(): Promise<PostgresPoolClient> {
      const client = await pool.connect();
      let broken = false;
      // While a connection is lent out the pool does not listen to it: a break now (the database
      // restarting mid-query) would be uncaught. The query in flight fails with it anyway.
      const onBreak = () => void (broken = true);
      client.on('error', onBreak);
      const query = ((...args: unknown[]) => {
        const result = (client.query as (...a: unknown[]) => unknown)(...args);
        if (result instanceof Promise) {
          return result.catch((error: unknown) => {
            if (error instanceof Error && /timeout|terminated/i.test(error.message)) broken = true;
            throw error;
          });
        }
        return result;
      }) as PostgresPoolClient['query'];
      return {
        query,
        release: () => {
          client.off('error', onBreak);
          client.release(broken ? true : undefined);
        },
      };
    },
  };
}
