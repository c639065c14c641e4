import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatProblem, loadScheduleFiles, ScheduleInvalidError } from '../../src/schedule/load-schedule.js';
import { aMember, anActivity, aTeam, scheduleYaml } from '../schedule/support/schedule-builder.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SLOW = 60_000;

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The real command line in a child process; no DATABASE_URL, so it uses PGlite in DATA_DIR. */
function start(args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function finished(child: ChildProcess, timeoutMs = SLOW - 5_000): Promise<Run> {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`timed out after ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

const run = (args: string[], env: Record<string, string>, timeoutMs?: number) => finished(start(args, env), timeoutMs);

/** Resolves with everything printed once `text` appears on stdout. */
function waitForOutput(child: ChildProcess, text: string, timeoutMs = 40_000): Promise<string> {
  let seen = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`"${text}" did not appear within ${timeoutMs} ms: ${seen}`)), timeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes(text)) {
        clearTimeout(timer);
        resolve(seen);
      }
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code} before "${text}": ${seen}`)));
  });
}

describe('the kooperator command line', () => {
  let dataDir: string;
  let workDir: string;
  let env: Record<string, string>;
  let serve: ChildProcess | undefined;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'kooperator-cli-data-'));
    workDir = await mkdtemp(join(tmpdir(), 'kooperator-cli-work-'));
    env = { DATA_DIR: dataDir, LOG_LEVEL: 'info' };
  });
  afterAll(async () => {
    if (serve && serve.exitCode === null && serve.signalCode === null) serve.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
    await rm(workDir, { recursive: true, force: true });
  });

  // The steps below share one DATA_DIR and run in order: each CLI start costs about a second.
  it('should check the demo file on --dry-run, say nothing was written, and write nothing', { timeout: SLOW }, async () => {
    const result = await run(['import', 'calendars/demo.yaml', '--dry-run'], env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('nothing was written');
    expect(result.stdout).toMatch(/teams\s+\+2 added/);
  });

  it('should print every problem of a bad file as file:line: path: message, say nothing was changed and exit 1', { timeout: SLOW }, async () => {
    const text = scheduleYaml({
      teams: [aTeam({ colour: 'red', meetings: { duration: '2h' }, members: [aMember({ email: 'anna.example.org' })] })],
      activities: [anActivity({ audience: ['lodz', 'lowicz'] })],
    });
    const file = join(workDir, 'bad.yaml');
    await writeFile(file, text);
    // The same validation, run in this process, tells what the command must print.
    const expected = ((await loadScheduleFiles([file]).catch((e: unknown) => e)) as ScheduleInvalidError).problems;
    expect(expected).toHaveLength(4);

    // Polish is the default (problems-in-operator-language.test.ts); the English wording is checked here.
    const result = await run(['import', file, '--lang', 'en'], env);

    expect(result.code).toBe(1);
    const [header, ...lines] = result.stderr.trimEnd().split('\n');
    expect(header).toBe('The schedule has 4 problems; nothing was changed:');
    expect(lines).toEqual(expected.map((p) => `  ${formatProblem(p)}`));
    for (const line of lines) expect(line).toMatch(new RegExp(`^  ${file}:\\d+: \\S+: .+$`));
    expect(lines.map((l) => l.split(': ')[1]).sort()).toEqual(
      ['activities[0].audience[1]', 'teams[0].colour', 'teams[0].meetings.duration', 'teams[0].members[0].email'],
    );
    expect(result.stdout).toBe('');
  });

  it('should import the demo file, and then say "Nothing changed" the second time', { timeout: SLOW }, async () => {
    const first = await run(['import', 'calendars/demo.yaml'], env);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^Imported:/);
    expect(first.stdout).toMatch(/activities\s+\+6 added/);
    const second = await run(['import', 'calendars/demo.yaml'], env);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('Nothing changed');
  });

  it('should refuse an import while serve holds the embedded database, then work again after serve stops on SIGTERM', { timeout: 2 * SLOW }, async () => {
    serve = start(['serve'], { ...env, PORT: '0' });
    const serveExit = finished(serve, 2 * SLOW - 10_000);
    const log = await waitForOutput(serve, 'listening');
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(log)?.[1];
    expect(url).toBeDefined();

    const busy = await run(['import', 'calendars/demo.yaml'], env);
    expect(busy.code).toBe(1);
    expect(busy.stderr).toContain(`pid ${serve.pid}`);
    expect(busy.stderr).toContain('"serve"');
    expect(busy.stderr).toContain(url);
    expect(busy.stderr).toMatch(/Stop that process .* and run this command again/);
    // The refused command did not touch the running service's database.
    expect((await fetch(`${url}/healthz`)).status).toBe(200);

    const stopping = Date.now();
    serve.kill('SIGTERM');
    const stopped = await serveExit;
    expect(stopped.code).toBe(0);
    expect(Date.now() - stopping).toBeLessThan(5_000);

    const after = await run(['import', 'calendars/demo.yaml'], env);
    expect(after.stderr).toBe('');
    expect(after.code).toBe(0);
    expect(after.stdout).toContain('Nothing changed');
  });

  it('should export all.ics and one feed per team as iCalendar files', { timeout: SLOW }, async () => {
    const out = join(workDir, 'public');
    const result = await run(['export-feeds', out], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Wrote 3 feeds');
    expect(await readFile(join(out, 'all.ics'), 'utf8')).toMatch(/^BEGIN:VCALENDAR\r?\n/);
    const lodz = await readFile(join(out, 'teams', 'lodz.ics'), 'utf8');
    expect(lodz).toMatch(/^BEGIN:VCALENDAR\r?\n/);
    expect(lodz).toContain('PZK Łódź – demo');
  });

  it('should export one activity\'s registration answers as Excel-Polish CSV, and say which activity is unknown', { timeout: SLOW }, async () => {
    const result = await run(['export', 'registrations', '--activity', 'warsztaty-2027-1'], env);
    expect(result.code).toBe(0);
    expect(result.stdout.startsWith('\uFEFFimię i nazwisko;instytucja;odpowiedź na zaproszenie\r\n')).toBe(true);
    expect(result.stdout).toContain('pytanie;odpowiedź;liczba\r\n');
    const unknown = await run(['export', 'registrations', '--activity', 'nie-ma-takiego'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('there is no activity "nie-ma-takiego"');
  });

  it('should print a personal feed link for a member of the demo file', { timeout: SLOW }, async () => {
    const result = await run(['feed-link', 'anna.nowak@example.org'], env);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toMatch(/^http:\/\/localhost:3000\/calendars\/u\/[^/\s]+\.ics$/);
  });

  it('should exit 2 with the usage text for an unknown command', { timeout: SLOW }, async () => {
    const result = await run(['frobnicate'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Unknown command "frobnicate"');
    expect(result.stderr).toContain('Usage: npm run kooperator -- <command>');
  });

  it('should stop with one line naming PORT and an example when PORT is not a number', { timeout: SLOW }, async () => {
    const result = await run(['import', 'calendars/demo.yaml'], { ...env, PORT: 'abc' });
    expect(result.code).toBe(1);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^PORT: .+\. Example of a good value: 3000$/);
  });
});
