import { performance } from 'node:perf_hooks';
import { systemClock } from './clock.js';
import { ConfigError, DataDirError, loadConfig } from './config.js';
import { DataDirBusyError } from './db/data-dir-lock.js';
import { createLogger } from './log.js';
import { operatorMessage } from './operator-errors.js';
import { SHUTDOWN_MS } from './shutdown.js';
import { stopSignals } from './stop-signals.js';
import { UsageError } from './cli/usage-error.js';
import type { ScheduleInvalidError } from './schedule/load-schedule.js';
import type { RunningService } from './main.js';

// Modules are loaded for the command that needs them: a restart of `serve` should not pay for
// loading the schedule importer, and the service loads its parts while the database opens.
const commands = () => import('./cli/commands.js');

const USAGE = `Usage: npm run kooperator -- <command>

  serve                          run the service (what npm start runs)
  migrate                        apply database migrations
  import <file.yaml>… [--dry-run] [--lang en]
                                 import schedule files (all or nothing); --dry-run only checks;
                                 problems are listed in Polish, or in English with --lang en
  export-feeds <dir>             write all.ics and teams/*.ics for static hosting
  export <kind> --from D --to D  CSV to stdout (status, problems, attendance), dates YYYY-MM-DD;
                                 attendance takes --team <id> for one team
  export registrations --activity ID  one activity's registration answers and totals, CSV
  feed-link <email>              issue a new personal feed link for a member (revokes the old one)
  chat --as <email>              talk to the bot in the terminal, as that member
  forget-erasure <email>         let a person who asked to be erased be imported again
  help                           this text`;

// The settings of the command that failed: start-up errors are explained in their terms.
let commandConfig: ReturnType<typeof loadConfig> | undefined;
// The language schedule problems are listed in: Polish, the operators' own, unless --lang en.
let operatorLanguage: 'pl' | 'en' = 'pl';

function languageOption(args: string[]): 'pl' | 'en' {
  const given = args.find((a) => a.startsWith('--lang='))?.slice('--lang='.length) ?? (args.includes('--lang') ? args[args.indexOf('--lang') + 1] : undefined);
  if (given === undefined || given === 'pl' || given === 'en') return given ?? 'pl';
  throw new UsageError(`--lang must be pl or en, not "${given}"`);
}

const out = (line: string) => process.stdout.write(`${line}\n`);

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help') {
    out(USAGE);
    return command ? 0 : 2;
  }
  const config = loadConfig();
  commandConfig = config;
  switch (command) {
    case 'serve':
      return serve(config);
    case 'migrate':
      await (await commands()).migrateCommand(config, out);
      return 0;
    case 'import': {
      operatorLanguage = languageOption(rest);
      const files = rest.filter((a, i) => !a.startsWith('--') && rest[i - 1] !== '--lang');
      if (files.length === 0) throw new UsageError('import needs at least one file: npm run kooperator -- import calendars/my.yaml');
      await (await commands()).importCommand(config, systemClock, files, rest.includes('--dry-run'), out, operatorLanguage);
      return 0;
    }
    case 'export-feeds':
      if (!rest[0]) throw new UsageError('export-feeds needs a folder: npm run kooperator -- export-feeds ./public');
      await (await commands()).exportFeedsCommand(config, systemClock, rest[0], out);
      return 0;
    case 'export':
      await (await commands()).exportCommand(config, systemClock, rest, (text) => process.stdout.write(text));
      return 0;
    case 'feed-link':
      if (!rest[0]) throw new UsageError('feed-link needs an e-mail: npm run kooperator -- feed-link anna.nowak@example.org');
      await (await commands()).feedLinkCommand(config, systemClock, rest[0], out);
      return 0;
    case 'forget-erasure':
      if (!rest[0]) throw new UsageError('forget-erasure needs an e-mail: npm run kooperator -- forget-erasure anna.nowak@example.org');
      await (await commands()).forgetErasureCommand(config, rest[0], out);
      return 0;
    case 'chat': {
      const email = rest[rest.indexOf('--as') + 1];
      if (!rest.includes('--as') || !email) throw new UsageError('chat needs a member: npm run kooperator -- chat --as anna.nowak@example.org');
      const { runTerminalChat } = await import('./main.js');
      await runTerminalChat(config, createLogger('warn'), email);
      return 0;
    }
    default:
      throw new UsageError(`Unknown command "${command}".\n\n${USAGE}`);
  }
}

async function serve(config: ReturnType<typeof loadConfig>): Promise<number> {
  const log = createLogger(config.logLevel);
  // Listened for before start-up: /healthz answers early, and a stop is heard at any moment.
  const signal = stopSignals();
  const { startService } = await import('./main.js');
  const starting = startService(config, log);
  const first = await Promise.race([starting.then((service) => ({ service })), signal.then((stop) => ({ stop }))]);
  const askedDuringStart = 'stop' in first ? performance.now() : undefined;
  const service = 'service' in first ? first.service : await startUnderStop(starting, first.stop, config, log);
  if (!service) return 0;
  log.info({ signal: await signal }, 'Shutting down');
  // The 5 s count from the stop signal, also when it came during start-up.
  return stopService(service, log, askedDuringStart ?? performance.now());
}

/**
 * A stop asked for while the service starts. The start may finish in the time the stop allows,
 * and then stops cleanly (PGlite's files are closed, not cut off); a start waiting on a
 * PostgreSQL that does not answer is cut off instead (after 1 s: nothing of it is on disk here),
 * so `docker stop` never ends in SIGKILL. The kernel frees the data folder lock and the
 * connections when the process exits.
 */
async function startUnderStop(starting: Promise<RunningService>, stop: string, config: ReturnType<typeof loadConfig>, log: ReturnType<typeof createLogger>): Promise<RunningService | undefined> {
  log.info({ signal: stop }, 'Stop asked for during start-up');
  const waitMs = config.databaseUrl ? 1_000 : SHUTDOWN_MS - 2_000;
  process.once('SIGTERM', () => process.exit(1));
  process.once('SIGINT', () => process.exit(130));
  let timer: NodeJS.Timeout | undefined;
  const cutOff = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), waitMs)));
  const service = await Promise.race([starting, cutOff]).finally(() => clearTimeout(timer));
  if (!service) {
    starting.catch(() => undefined);
    log.warn({ ms: waitMs }, 'start-up did not finish in time after the stop; exiting without waiting for it');
  }
  return service;
}

async function stopService(service: RunningService, log: ReturnType<typeof createLogger>, started: number): Promise<number> {
  // The stop keeps to its own deadline; this is the backstop should anything still hang,
  // and a second Ctrl+C or SIGTERM means "now".
  const hard = setTimeout(() => {
    log.error('the service did not stop within 5 s; exiting anyway');
    process.exit(1);
  }, started + SHUTDOWN_MS - 200 - performance.now());
  process.once('SIGTERM', () => process.exit(1));
  process.once('SIGINT', () => process.exit(130));
  try {
    await service.stop(started + SHUTDOWN_MS - 500);
    log.info({ ms: Math.round(performance.now() - started) }, 'Stopped');
    return 0;
  } catch (error) {
    log.error({ err: error }, 'Shutdown failed');
    return 1;
  } finally {
    clearTimeout(hard);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  async (error: unknown) => {
    if ((error as { code?: unknown } | null)?.code === 'SCHEDULE_INVALID') {
      const [{ formatProblemIn }, { scheduleProblemMessages }] = await Promise.all([import('./schedule/load-schedule.js'), import('./i18n/schedule-problem-messages.js')]);
      const { problems } = error as ScheduleInvalidError;
      process.stderr.write(`${scheduleProblemMessages[operatorLanguage].header(problems.length)}\n`);
      for (const problem of problems) process.stderr.write(`  ${formatProblemIn(problem, operatorLanguage)}\n`);
    } else if (error instanceof ConfigError || error instanceof DataDirError || error instanceof DataDirBusyError || error instanceof UsageError) {
      process.stderr.write(`${error.message}\n`);
    } else if (commandConfig && operatorMessage(error, commandConfig)) {
      process.stderr.write(`${operatorMessage(error, commandConfig)}\n`);
    } else {
      process.stderr.write(`kooperator: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    }
    process.exit(error instanceof UsageError ? 2 : 1);
  },
);
