import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatProblem, loadScheduleFiles, parseScheduleText, ScheduleInvalidError, type ScheduleProblem } from '../../src/schedule/load-schedule.js';
import { badSchedules } from './support/bad-schedules.js';
import { aMember, anActivity, aTeam, lineOf, scheduleYaml } from './support/schedule-builder.js';

const FILE = 'calendars/test.yaml';
const problemsOf = (text: string) => parseScheduleText(FILE, text).problems;

describe('schedule file validation', () => {
  it.each(badSchedules)('should report $what at $path, on its line, with a clear message', ({ text, path, message, line }) => {
    const problems = problemsOf(text);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: FILE, path, line: lineOf(text, ...line) });
    expect(problems[0]!.message).toMatch(message);
  });

  it('should list every problem of a file in one run, each at its own path', () => {
    const text = scheduleYaml({
      timezone: 'Europe/Atlantis',
      teams: [
        aTeam({
          colour: 'red',
          meetings: { rrule: 'FREQ=MONTHLY;FOO=1', duration: '2h' },
          members: [aMember(), aMember({ name: 'Ewa', email: 'ewa@example.org' }), aMember({ name: 'Jan', email: 'jan.example.org' })],
        }),
        aTeam({ id: 'Bad_Id', name: 'B', meetings: { except: [{ date: '2027-03-10', cancelled: true }] } }),
        aTeam({ name: 'Duplikat' }),
      ],
      activities: [anActivity({ ends: '2027-03-01T10:00', audience: ['lodz', 'nigdzie'] }), anActivity()],
    });
    const problems = problemsOf(text);
    expect(problems.map((p) => p.path).sort()).toEqual(
      [
        'timezone',
        'teams[0].colour',
        'teams[0].meetings.rrule',
        'teams[0].meetings.duration',
        'teams[0].members[2].email',
        'teams[1].id',
        'teams[1].meetings.except[0].date',
        'teams[2].id',
        'activities[0].ends',
        'activities[0].audience[1]',
        'activities[1].id',
      ].sort(),
    );
    for (const problem of problems) {
      expect(problem.file).toBe(FILE);
      expect(problem.line, formatProblem(problem)).toBeGreaterThan(0);
      expect(problem.message.length).toBeGreaterThan(5);
    }
  });

  it('should report a YAML syntax error with its line and nothing else', () => {
    const text = ['timezone: Europe/Warsaw', 'teams:', '  - id: lodz', '    name: [PZK Łódź', '    area: gmina', ''].join('\n');
    const problems = problemsOf(text);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]).toMatchObject({ file: FILE, path: '' });
    expect(problems[0]!.message).toMatch(/^YAML: /);
    expect(problems[0]!.line).toBeGreaterThanOrEqual(4);
    expect(parseScheduleText(FILE, text).data).toBeUndefined();
  });

  it('should report a key given twice as a YAML error on its line', () => {
    const problems = problemsOf('timezone: Europe/Warsaw\nteams: []\nteams: []\n');
    expect(problems).toEqual([{ file: FILE, path: '', line: 3, message: expect.stringMatching(/unique/) }]);
  });

  it('should accept calendars/demo.yaml with no problems', () => {
    const result = parseScheduleText('calendars/demo.yaml', readFileSync('calendars/demo.yaml', 'utf8'));
    expect(result.problems).toEqual([]);
    expect(result.data?.teams.map((t) => t.id)).toEqual(['lodz', 'lowicz']);
    expect(result.data?.activities).toHaveLength(6);
  });

  it('should accept an audience naming a team of another file of the same import', () => {
    const text = scheduleYaml({ teams: [], activities: [anActivity({ audience: ['lowicz'] })] });
    expect(parseScheduleText(FILE, text, new Set(['lowicz'])).problems).toEqual([]);
  });

  it('should format a problem as file:line: path: message', () => {
    const problem: ScheduleProblem = { file: 'calendars/lodz.yaml', line: 12, path: 'teams[0].meetings.rrule', message: 'FREQ is missing' };
    expect(formatProblem(problem)).toBe('calendars/lodz.yaml:12: teams[0].meetings.rrule: FREQ is missing');
    expect(formatProblem({ file: 'a.yaml', path: '', message: 'cannot be read (ENOENT)' })).toBe('a.yaml: (top): cannot be read (ENOENT)');
    const [found] = problemsOf(scheduleYaml({ teams: [aTeam({ meetings: { duration: '2h' } })] }));
    expect(formatProblem(found!)).toMatch(/^calendars\/test\.yaml:\d+: teams\[0\]\.meetings\.duration: must be a positive ISO 8601 duration/);
  });

  it('should throw one ScheduleInvalidError listing the problems of every file, unreadable ones too', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kooperator-validation-'));
    try {
      const a = join(dir, 'a.yaml');
      const b = join(dir, 'b.yaml');
      await writeFile(a, scheduleYaml({ teams: [aTeam({ meetings: { duration: '2h' } })] }));
      await writeFile(b, scheduleYaml({ teams: [aTeam({ id: 'lowicz', area: 'wojewodztwo' })], activities: [] }));
      const error = await loadScheduleFiles([a, b, join(dir, 'missing.yaml')]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ScheduleInvalidError);
      const problems = (error as ScheduleInvalidError).problems;
      expect(problems.map((p) => `${p.file} ${p.path}`)).toEqual([
        `${join(dir, 'missing.yaml')} `,
        `${a} teams[0].meetings.duration`,
        `${b} teams[0].area`,
      ]);
      expect(problems[0]!.message).toMatch(/cannot be read \(ENOENT\)/);
      expect((error as Error).message).toContain(formatProblem(problems[1]!));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
