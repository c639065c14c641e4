import { sql, type Kysely } from 'kysely';

/** The backend pid of a session (a transaction's connection), to ask who waits on it. */
export async function backendPid(db: Kysely<any>): Promise<number> {
  return Number((await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db)).rows[0]!.pid);
}

/**
 * Sessions waiting, directly or through another waiter, on the session `pid`: only a test's own
 * (counting every ungranted lock on the server also counted other test files running beside it,
 * so a test went on before its own session waited).
 */
export async function waitingOn(db: Kysely<any>, pid: number): Promise<number> {
  const result = await sql<{ n: string }>`
    with recursive blocked(pid) as (
      select a.pid from pg_stat_activity a where ${pid}::int = any(pg_blocking_pids(a.pid))
      union
      select a.pid from pg_stat_activity a join blocked b on b.pid = any(pg_blocking_pids(a.pid))
    ) select count(*) as n from blocked`.execute(db);
  return Number(result.rows[0]!.n);
}
