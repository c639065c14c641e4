import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScheduleFiles, parseScheduleText, type ScheduleInvalidError } from '../../src/schedule/load-schedule.js';
import { anActivity, aTeam, scheduleYaml } from './support/schedule-builder.js';

/**
 * Former gaps in src/schedule/schedule-file.schema.ts (once shown with `it.fails`): messages
 * that name the exact part of a rule or an audience that is wrong.
 */
const problemsOf = (text: string) => parseScheduleText('calendars/test.yaml', text).problems;
const withRule = (rrule: string) => scheduleYaml({ teams: [aTeam({ meetings: { rrule } })] });

describe('schedule file validation: precise messages', () => {
  // RRule.parseString turns an unknown FREQ into `freq: undefined`: check the parts ourselves.
  it('should say the frequency is unknown, not that FREQ is missing, for FREQ=SOMETIMES', () => {
    const [problem] = problemsOf(withRule('FREQ=SOMETIMES'));
    expect(problem?.path).toBe('teams[0].meetings.rrule');
    expect(problem?.message).not.toMatch(/FREQ is missing/);
    expect(problem?.message).toMatch(/SOMETIMES/);
  });

  // The library's TypeError text must never reach a coordinator.
  it('should explain a bad BYDAY without JavaScript internals', () => {
    const [problem] = problemsOf(withRule('FREQ=MONTHLY;BYDAY=XX'));
    expect(problem?.path).toBe('teams[0].meetings.rrule');
    expect(problem?.message).not.toMatch(/Cannot read properties/);
    expect(problem?.message).toMatch(/BYDAY/);
  });

  // RFC 5545 §3.3.10: INTERVAL and COUNT are positive integers. rrule.js keeps 'abc' and 0 as
  // they are; the series then yields one meeting (COUNT=abc) or none at all (INTERVAL=0).
  it.each(['FREQ=WEEKLY;INTERVAL=0', 'FREQ=MONTHLY;BYDAY=2TU;COUNT=abc', 'FREQ=MONTHLY;BYMONTHDAY=40'])(
    'should refuse %s, which gives no usable series',
    (rrule) => {
      const problems = problemsOf(withRule(rrule));
      expect(problems).toMatchObject([{ path: 'teams[0].meetings.rrule' }]);
      expect(problems[0]!.message).toContain(rrule.split(';').at(-1)!.split('=')[0]);
    },
  );

  // `audience: z.union([z.literal('all'), z.array(id)])` reports zod's bare "Invalid input".
  it('should explain that an audience is "all" or a list of team ids', () => {
    const [problem] = problemsOf(scheduleYaml({ activities: [anActivity({ audience: 'everyone' })] }));
    expect(problem?.path).toBe('activities[0].audience');
    expect(problem?.message).toMatch(/all/);
  });

  // loadScheduleFiles() passes every file's own team ids as `otherTeams` too: list each once.
  it('should name each known team once when an audience names an unknown one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kooperator-gaps-'));
    try {
      const file = join(dir, 'a.yaml');
      await writeFile(file, scheduleYaml({ activities: [anActivity({ audience: ['lodz', 'lowicz'] })] }));
      const error = (await loadScheduleFiles([file]).catch((e: unknown) => e)) as ScheduleInvalidError;
      expect(error.problems.map((p) => p.message)).toEqual(['unknown team "lowicz" (known teams: lodz)']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
