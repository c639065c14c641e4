import type pgModule from 'pg';

/**
 * Named (prepared) statements for PostgreSQL. pg sends Kysely's statements unnamed, so
 * PostgreSQL parses, analyses and plans each one anew; on a busy service the planning cost more
 * than the work (a personal feed's statement: 1.3 ms planning, 0.35 ms execution). A statement
 * sent under a name is parsed once per connection, and PostgreSQL's plan cache (plan_cache_mode
 * auto) may then reuse a generic plan: it plans the first five executions for their values and
 * keeps doing so where a generic plan would cost more (a partial index whose predicate depends
 * on a value).
 *
 * Which texts get a name: those seen a second time (one-off texts such as migrations stay
 * unnamed), with at most MAX_PARAMETERS values (long IN-lists and multi-row inserts have a text
 * per length, and plan cheaply), up to MAX_NAMED texts per process: each costs memory in every
 * connection that ran it (a parse tree, perhaps a plan), and the hot statements of a service are
 * met early.
 */
export const MAX_NAMED = 200;
export const MAX_PARAMETERS = 32;
/** Texts seen once are remembered up to this many, then forgotten together (a bound, not an LRU). */
const MAX_SEEN_ONCE = 5_000;

export class StatementNames {
  private readonly named = new Map<string, string>();
  private seenOnce = new Set<string>();
  private generation = 0;

  constructor(private readonly maxNamed = MAX_NAMED) {}

  /** The name to send `text` under, or undefined to send it unnamed. */
  nameFor(text: string, parameterCount: number): string | undefined {
    const known = this.named.get(text);
    if (known !== undefined) return known;
    if (parameterCount === 0 || parameterCount > MAX_PARAMETERS || this.named.size >= this.maxNamed) return undefined;
    if (!this.seenOnce.has(text)) {
      if (this.seenOnce.size >= MAX_SEEN_ONCE) this.seenOnce = new Set();
      this.seenOnce.add(text);
      return undefined;
    }
    this.seenOnce.delete(text);
    return this.assign(text);
  }

  /**
   * The server's statement under `name` no longer fits (its result's columns changed under it: a
   * migration added a column to a table a `select *` reads). It cannot be replaced under the same
   * name without a DEALLOCATE, which an aborted transaction refuses; the text gets a new name
   * instead, which every connection prepares afresh (the old one stays until the connection ends).
   */
  renamed(text: string): string {
    return this.assign(text);
  }

  get size(): number {
    return this.named.size;
  }

  private assign(text: string): string {
    const name = `kooperator_${(this.generation++).toString(36)}`;
    this.named.set(text, name);
    return name;
  }
}

/** One per process: a name always means one text, so connections can share the numbering. */
export const statementNames = new StatementNames();

/** "cached plan must not change result type" (SQLSTATE 0A000, feature_not_supported, which other errors share) */
const cachedPlanChanged = (error: { code?: unknown; message?: unknown }) => error.code === '0A000' && /cached plan/i.test(String(error.message));
/** "prepared statement … does not exist": the session lost it (DISCARD ALL, a pooler that switched server connections) */
const statementMissing = (error: { code?: unknown }) => error.code === '26000';

type Client = Pick<pgModule.ClientBase, 'query'>;
/** What pg keeps of a connection's state but does not type: the statements it parsed, the transaction status of the last ReadyForQuery. */
type ClientInternals = { connection?: { parsedStatements?: Record<string, string> }; getTransactionStatus?: () => string | null };

/**
 * Runs `text` on `client` under a name where `names` gives one. When the server lost the named
 * statement, or its result's columns changed, the statement is prepared again and retried once if
 * no transaction was open (the failed statement then was its own transaction: nothing of it
 * stayed); inside a transaction the error stands, the transaction fails as any failed statement
 * makes it fail, and the next one prepares afresh.
 */
export async function runNamed<R extends pgModule.QueryResultRow>(
  client: Client,
  names: StatementNames,
  text: string,
  values: unknown[],
  extra: { query_timeout?: number } = {},
): Promise<pgModule.QueryResult<R>> {
  const name = names.nameFor(text, values.length);
  if (name === undefined) return client.query<R>({ ...extra, text, values });
  const internals = client as unknown as ClientInternals;
  const outside = internals.getTransactionStatus?.() === 'I';
  try {
    return await client.query<R>({ ...extra, name, text, values });
  } catch (error) {
    const e = error as { code?: unknown; message?: unknown };
    const changed = cachedPlanChanged(e);
    if (!changed && !statementMissing(e)) throw error;
    if (!changed) delete internals.connection?.parsedStatements?.[name];
    const next = changed ? names.renamed(text) : name;
    if (!outside) throw error;
    return client.query<R>({ ...extra, name: next, text, values });
  }
}
