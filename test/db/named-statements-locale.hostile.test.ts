import { describe, expect, it } from 'vitest';
import { runNamed, StatementNames } from '../../adapters/db/named-statements.js';

/**
 * Hostile review of named-statements.ts: a changed result type is recognised by SQLSTATE 0A000
 * *and* the English text "cached plan …". PostgreSQL sends its messages in the server's
 * lc_messages (set at initdb from the host's locale, or per database/role), so on a server
 * speaking German, French, Spanish, Russian or Japanese (translations shipped with
 * PostgreSQL 15, /usr/share/locale/<lang>/LC_MESSAGES/postgres-15.mo) the error is not
 * recognised: no new name, no retry, and since the connection's prepared statement keeps its old
 * result type, that statement fails on that connection for as long as the connection lives,
 * outside transactions too. The error also carries `routine: 'RevalidateCachedQuery'`
 * (plancache.c), which does not depend on the language.
 *
 * This machine's PostgreSQL has no non-C locale installed (set lc_messages = 'de_DE.UTF-8' is
 * refused), so the server is played by a fake client that answers as a German server does: the
 * messages are PostgreSQL 15's own translations (read with Python's gettext from the .mo files).
 */
const TRANSLATIONS: [string, string][] = [
  ['en', 'cached plan must not change result type'],
  ['de', 'gecachter Plan darf den Ergebnistyp nicht ändern'],
  ['fr', 'le plan en cache ne doit pas modifier le type en résultat'],
  ['es', 'el plan almacenado no debe cambiar el tipo de resultado'],
];

/** A server connection on which every statement prepared before "the migration" has a stale result type. */
function fakeServer(message: string) {
  const staleNames = new Set<string>();
  let migrated = false;
  const sent: string[] = [];
  const client = {
    getTransactionStatus: () => 'I',
    connection: { parsedStatements: {} as Record<string, string> },
    query: async (config: { name?: string; text: string; values: unknown[] }) => {
      sent.push(config.name ?? '(unnamed)');
      if (config.name && !migrated) staleNames.add(config.name);
      if (config.name && migrated && staleNames.has(config.name)) {
        throw Object.assign(new Error(message), { code: '0A000', severity: 'ERROR', routine: 'RevalidateCachedQuery', file: 'plancache.c' });
      }
      return { rows: [{ a: 1, b: 'new column' }], fields: [], command: 'SELECT', rowCount: 1, oid: 0 };
    },
  };
  return { client, sent, migrate: () => void (migrated = true) };
}

describe.each(TRANSLATIONS)('a select * whose table a migration changed, server messages in %s', (_lang, message) => {
  it('should answer the statement (new name, one retry) as it does for an English server', async () => {
    const names = new StatementNames();
    const server = fakeServer(message);
    const text = 'select * from t where a = $1';
    const run = () => runNamed(server.client as never, names, text, [1]);
    await run(); // seen once: unnamed
    await run(); // named, prepared
    await run();
    server.migrate();
    const outcomes: string[] = [];
    for (let i = 0; i < 3; i++) outcomes.push(await run().then(() => 'ok', (e: { code?: string }) => `failed ${e.code}`));
    // de/fr/es: ['failed 0A000', 'failed 0A000', 'failed 0A000'], the same stale name sent each time.
    expect(outcomes, `sent: ${server.sent.join(', ')}`).toEqual(['ok', 'ok', 'ok']);
  });
});

/**
 * "One per process: a name always means one text" holds inside a process only: the names are a
 * counter from kooperator_0 in every process, so two replicas give the same name to different
 * texts. Behind a transaction-mode pooler that does not track prepared statements (PgBouncer
 * before 1.21, or without max_prepared_statements: where README says to turn this off, while the
 * default is on), a replica's Bind can reach a server connection where another replica prepared
 * that name, and PostgreSQL executes the other replica's statement with these values (a wrong
 * answer or a wrong write, not an error). A name derived from the text (a hash) would make that
 * harmless. No pooler on this machine: shown on the naming alone, two StatementNames standing for
 * two processes.
 */
describe('names across processes', () => {
  it('should never give one name to two different texts, even in two processes', () => {
    const replicaA = new StatementNames();
    const replicaB = new StatementNames();
    const twice = (names: StatementNames, text: string) => (names.nameFor(text, 1), names.nameFor(text, 1)!);
    const a = twice(replicaA, 'select * from invitations where activity_id = $1');
    const b = twice(replicaB, 'delete from deliveries where id = $1');
    expect(a === b ? `both ${a}` : 'different').toBe('different');
  });
});
