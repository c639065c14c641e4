import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScheduleFiles, MAX_SCHEDULE_BYTES, ScheduleInvalidError, type ScheduleProblem } from '../../src/schedule/load-schedule.js';
import { DEMO_FILE } from './support/import-helpers.js';

/** The problems a load reports; anything thrown that is not a ScheduleInvalidError fails the test. */
async function problemsOf(file: string): Promise<ScheduleProblem[]> {
  const error = await loadScheduleFiles([file]).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ScheduleInvalidError);
  return (error as ScheduleInvalidError).problems;
}

/** A "billion laughs" document: each level names the one before ten times. */
function aliasBomb(levels: number): string {
  const lines = ['a0: &a0 ["lol"]'];
  for (let i = 1; i < levels; i++) lines.push(`a${i}: &a${i} [${Array.from({ length: 10 }, () => `*a${i - 1}`).join(', ')}]`);
  return `${lines.join('\n')}\nteams: *a${levels - 1}\n`;
}

describe('schedule files that are not what a schedule file is', () => {
  let dir: string;
  let demo: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'koop-limits-'));
    demo = await readFile(DEMO_FILE, 'utf8');
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));
  const write = async (name: string, content: string | Buffer) => {
    const file = join(dir, name);
    await writeFile(file, content);
    return file;
  };

  it('should refuse a 10-level alias bomb with one problem naming the aliases, quickly', async () => {
    const started = Date.now();
    const problems = await problemsOf(await write('bomb.yaml', aliasBomb(10)));
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toMatch(/alias/i);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('should still take a file that uses a few aliases', async () => {
    const text = demo.replace(/^timezone: .*$/m, (line) => `${line}\nx-place: &place Sala 12`);
    expect(text).toContain('x-place');
    // An unknown top-level key is a problem of its own; the aliases alone are not.
    const problems = await problemsOf(await write('aliases.yaml', text));
    expect(problems.every((p) => !/alias/i.test(p.message))).toBe(true);
  });

  it('should refuse a file that is not UTF-8, naming the first bad line, instead of importing names with �', async () => {
    const latin2 = Buffer.concat([Buffer.from(demo.split('\n').slice(0, 3).join('\n') + '\n'), Buffer.from('    name: PZK \xa3\xf3d\xbc\n', 'latin1')]);
    const problems = await problemsOf(await write('latin2.yaml', latin2));
    expect(problems).toEqual([{ file: join(dir, 'latin2.yaml'), path: '', line: 4, message: expect.stringMatching(/UTF-8/) }]);
  });

  it('should refuse a UTF-16 file on its first line', async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(demo, 'utf16le')]);
    const problems = await problemsOf(await write('utf16.yaml', utf16));
    expect(problems[0]).toMatchObject({ line: 1, message: expect.stringMatching(/UTF-8/) });
  });

  it('should refuse a file larger than the cap before parsing it, saying how large it may be', async () => {
    const big = await write('big.yaml', `${demo}\n#${'x'.repeat(MAX_SCHEDULE_BYTES)}\n`);
    const started = Date.now();
    const problems = await problemsOf(big);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(problems).toEqual([{ file: big, path: '', message: expect.stringMatching(/MB/) }]);
  });

  it('should take the demo file, UTF-8 with a byte-order mark too', async () => {
    await expect(loadScheduleFiles([await write('bom.yaml', `\ufeff${demo}`)])).resolves.toHaveLength(1);
  });
});
