import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScheduleFiles, ScheduleInvalidError, type ScheduleProblem } from '../../src/schedule/load-schedule.js';
import { anActivity, aTeam, scheduleYaml } from './support/schedule-builder.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// What zod says by itself; none of it may reach the operator.
const VALIDATOR_ENGLISH = /Invalid (input|option)|Too (big|small)|expected (string|number|one of)|received/;

/**
 * Issue 14: import errors mixed zod's raw English with our own messages, and some appeared only
 * after others were fixed (an activity's end before its start, a team id used in two files).
 */
describe('the problems of schedule files, in one run and in the operator language', () => {
  let dir: string;
  let first: string;
  let second: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kooperator-problems-'));
    first = join(dir, 'a.yaml');
    second = join(dir, 'b.yaml');
    await writeFile(
      first,
      scheduleYaml({
        teams: [aTeam({ area: 'wieś', meetings: { rrule: 'FREQ=SOMETIMES', except: [{ date: '2027-03-09' }] } })],
        staff: [{ email: 'rcps@example.org' }],
        activities: [anActivity({ kind: 'party', title: 'x'.repeat(301), starts: '2027-03-10T09:00', ends: '2027-03-09T16:00', capacity: 0 })],
      }),
    );
    // Valid by itself except that its team id is the first file's.
    await writeFile(second, scheduleYaml({ teams: [aTeam({ name: 'Druga' })], activities: [] }));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  const problemsIn = async (language: 'pl' | 'en'): Promise<ScheduleProblem[]> =>
    ((await loadScheduleFiles([first, second], new Set(), language).catch((e: unknown) => e)) as ScheduleInvalidError).problems;

  it('should list every problem at once, also those that used to wait for others to be fixed', async () => {
    const problems = await problemsIn('en');
    expect(problems.map((p) => `${p.file === first ? 'a' : 'b'} ${p.path}`).sort()).toEqual([
      'a activities[0].capacity',
      'a activities[0].ends',
      'a activities[0].kind',
      'a activities[0].title',
      'a staff[0].name',
      'a teams[0].area',
      'a teams[0].meetings.except[0]',
      'a teams[0].meetings.rrule',
      'b teams[0].id',
    ]);
    for (const p of problems) expect(p.line, `${p.path} has its line`).toBeGreaterThan(0);
  });

  it('should say each in Polish, with no validator English', async () => {
    const problems = await problemsIn('pl');
    const text = problems.map((p) => `${p.path}: ${p.message}`).join('\n');
    expect(text).not.toMatch(VALIDATOR_ENGLISH);
    expect(text).toContain('teams[0].area: musi mieć jedną z wartości: gmina, powiat');
    expect(text).toContain('staff[0].name: jest wymagane, a go brakuje');
    expect(text).toContain('activities[0].title: może mieć najwyżej 300 znaków');
    expect(text).toContain('activities[0].ends: musi być później niż początek (2027-03-10T09:00)');
    expect(text).toContain('activities[0].capacity: musi być liczbą całkowitą większą od 0');
    expect(text).toContain('teams[0].meetings.rrule: nie jest poprawną regułą RRULE: FREQ=SOMETIMES nie jest częstotliwością spotkań');
    expect(text).toMatch(/teams\[0\]\.id: „lodz” jest już zespołem w .*a\.yaml/);
  });

  it('should say them in English when the operator chooses it, also without validator English', async () => {
    const text = (await problemsIn('en')).map((p) => p.message).join('\n');
    expect(text).not.toMatch(VALIDATOR_ENGLISH);
    expect(text).toContain('must be one of: gmina, powiat');
  });

  it('should print them from the command line in Polish by default and in English with --lang en', { timeout: 90_000 }, async () => {
    const run = (args: string[]) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'import', first, second, '--dry-run', ...args], {
          cwd: ROOT,
          env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), DATA_DIR: join(dir, 'data') },
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.once('exit', (code) => resolve({ code, stderr }));
      });
    const polish = await run([]);
    expect(polish.code).toBe(1);
    expect(polish.stderr.split('\n')[0]).toBe('W harmonogramie jest 9 problemów; niczego nie zmieniono:');
    expect(polish.stderr).toContain('musi mieć jedną z wartości: gmina, powiat');
    const english = await run(['--lang', 'en']);
    expect(english.stderr.split('\n')[0]).toBe('The schedule has 9 problems; nothing was changed:');
  });
});
