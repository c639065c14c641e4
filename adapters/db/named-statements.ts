import { createHash } from 'node:crypto';
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
 * unnamed), with at most MAX_PARAMETERS values and no list of four or more (IN-lists and
 * multi-row inserts have a text per length, and plan cheaply), up to MAX_NAMED texts per
 * process: each costs memory in every connection that ran it (a parse tree, perhaps a plan), and
 * the hot statements of a service are met early.
 */
export const MAX_NAMED = 200;
export const MAX_PARAMETERS = 32;
/**
 * A list of four or more values (`in ($1, $2, $3, $4)`; a row of `values` with four columns or
 * more, as multi-row inserts have): such a statement comes with a text per length, and each
 * length would take one of the MAX_NAMED places (185 of 200 were taken in the national week
 * before these were left out; 68 after).
 */
const VALUE_LIST = /\(\$\d+(?:, \$\d+){3,}\)/;
/** Texts seen once are remembered up to this many, then forgotten together (a bound, not an LRU). */
const MAX_SEEN_ONCE = 5_000;
/** A text renamed this often (named-statements going stale again and again) is sent unnamed from then on. */
export const MAX_RENAMES = 3;

export class StatementNames {
  /** A text's name, or null once it is to go unnamed for good. */
  private readonly named = new Map<string, string | null>();
  private readonly renames = new Map<string, number>();
  private seenOnce = new Set<string>();

  constructor(private readonly maxNamed = MAX_NAMED) {}

  /** The name to send `text` under, or undefined to send it unnamed. */
  nameFor(text: string, parameterCount: number): string | undefined {
    const known = this.named.get(text);
    if (known !== undefined) return known ?? undefined;
    if (parameterCount === 0 || parameterCount > MAX_PARAMETERS || this.named.size >= this.maxNamed || VALUE_LIST.test(text)) return undefined;
    if (!this.seenOnce.has(text)) {
      if (this.seenOnce.size >= MAX_SEEN_ONCE) this.seenOnce = new Set();
      this.seenOnce.add(text);
      return undefined;
    }
    this.seenOnce.delete(text);
    return this.assign(text, 0);
  }

  /**
   * The statement prepared under the text's name may no longer fit the server's tables, or the
   * server may no longer hold it (see runNamed). It cannot be replaced under the same name
   * without a DEALLOCATE, which an aborted transaction refuses; the text gets a new name instead,
   * which every connection prepares afresh (the old statement stays until its connection ends).
   * Undefined: renamed MAX_RENAMES times already, the text goes unnamed from now on.
   */
  renamed(text: string, stale: string): string | undefined {
    // Several connections meet the same change at once: only the first renames.
    const current = this.named.get(text);
    if (current !== stale) return current ?? undefined;
    const count = (this.renames.get(text) ?? 0) + 1;
    this.renames.set(text, count);
    if (count > MAX_RENAMES) {
      this.named.set(text, null);
      return undefined;
    }
    return this.assign(text, count);
  }

  get size(): number {
    return this.named.size;
  }

  /**
   * A name made from the text itself: two processes (replicas) give one text the same name and
   * different texts different names, so a statement prepared by one can never be run with
   * another's values, even where a pooler shares server connections between them.
   */
  private assign(text: string, generation: number): string {
    const name = `kooperator_${createHash('sha256').update(text).digest('hex').slice(0, 40)}_${generation}`;
    this.named.set(text, name);
    return name;
  }
}

/** One per process: a name always means one text. */
export const statementNames = new StatementNames();

/**
 * Errors after which a named statement is prepared afresh, under a new name. From the server
 * (SQLSTATE), those a prepared statement can meet where the same text sent unnamed would not:
 * 0A000, "cached plan must not change result type" (a migration added a column under a
 * `select *`; recognised by its class, not its message, which is in the server's language);
 * 26000, the session no longer holds the statement (DEALLOCATE ALL, DISCARD ALL); classes 22
 * (data) and 42 (types, operators): the statement's parameter types were fixed when it was
 * prepared, and a migration may have changed a column's type since (int to bigint: a value past
 * int fails; int to text: no operator). Errors pg raises before sending (a value it cannot
 * serialise; no SQLSTATE) count too: pg then closes the named statement on the server without
 * forgetting it.
 */
function stale(error: unknown): 'retry' | 'rename' | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (code === undefined) return error instanceof Error && !/timeout|terminated|connection/i.test(error.message) ? 'rename' : undefined;
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return undefined;
  return code === '0A000' || code === '26000' || code.startsWith('22') || code.startsWith('42') ? 'retry' : undefined;
}

type Client = Pick<pgModule.ClientBase, 'query'>;
/** What pg keeps of a connection's state but does not type: the transaction status of the last ReadyForQuery. */
type ClientInternals = { getTransactionStatus?: () => string | null };

/**
 * Runs `text` on `client` under a name where `names` gives one. After an error that may come from
 * the named statement itself (`stale`) the text gets a new name; a server's refusal is retried
 * once under it if no transaction was open (the failed statement then was its own transaction:
 * nothing of it stayed, and a genuine error comes back again); inside a transaction the error
 * stands, the transaction fails as any failed statement makes it fail, and the next use prepares
 * afresh.
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
  const outside = (client as unknown as ClientInternals).getTransactionStatus?.() === 'I';
  try {
    return await client.query<R>({ ...extra, name, text, values });
  } catch (error) {
    const kind = stale(error);
    if (kind === undefined) throw error;
    const next = names.renamed(text, name);
    if (kind === 'rename' || !outside) throw error;
    return client.query<R>(next === undefined ? { ...extra, text, values } : { ...extra, name: next, text, values });
  }
}

/**
 * A pg query call as Kysely makes it (`text, values`; a Cursor for streams): under a name where
 * `names` is given and the call has values, else as pg would send it, with `extra` (a longer time
 * limit) where given. The pool's connections and the claim session both send through here.
 */
export function sendQuery(client: pgModule.ClientBase, names: StatementNames | undefined, args: unknown[], extra?: { query_timeout: number }): unknown {
  const [text, values] = args;
  if (names && typeof text === 'string' && Array.isArray(values) && values.length > 0) return runNamed(client, names, text, values, extra);
  const result = extra && typeof text === 'string' ? client.query({ text, values: values as unknown[], ...extra } as pgModule.QueryConfig) : (client.query as (...a: unknown[]) => unknown)(...args);
  return result instanceof Promise ? result.then(oneResult) : result;
}

/**
 * A text of several statements (no values: sent as one simple query) answers with a result per
 * statement; Kysely reads one, so it gets the last that returns rows (a SELECT's, not a COMMIT's
 * after it: own-commits.ts reads the version and commits in one), else the last.
 */
function oneResult(result: unknown): unknown {
  if (!Array.isArray(result)) return result;
  const withRows = result.filter((r: pgModule.QueryResult) => r.fields.length > 0);
  return withRows.length > 0 ? withRows[withRows.length - 1] : result[result.length - 1];
}
