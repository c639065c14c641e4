/**
 * 1. Import of the 500-team file (10 members each, twice-monthly meetings, 50 activities):
 *    goal < 10 s on PGlite, < 5 s on PostgreSQL. The figure is parse + validation + import;
 *    the re-import of the same file (nothing changes) is timed too.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LineCounter, parseDocument } from 'yaml';
import type { ImportSummary } from '../src/schedule/import-schedule.js';
import { crossCheck } from '../src/schedule/cross-check.js';
import { loadScheduleFiles } from '../src/schedule/load-schedule.js';
import { scheduleFileSchema } from '../src/schedule/schedule-file.schema.js';
import { postgresUrl, redact } from './databases.js';
import { TEAMS, bigScheduleFile, tempDir } from './fixtures.js';
import type { ImportFigures } from './import-child.js';
import { captureTail, ms, percentile, s, spawn, timed, track, waitForExit, yesNo, type Report } from './support.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const EXPECTED = { teams: TEAMS, meetings: TEAMS, people: TEAMS * 10 + 3, memberships: TEAMS * 10, activities: 50 };

export async function importBenchmark(report: Report): Promise<void> {
  const file = bigScheduleFile();
  const size = statSync(file).size;
  report.note(
    `import: the generated file has ${TEAMS} teams, ${TEAMS * 10} members, 50 activities, ${(size / 1024 / 1024).toFixed(2)} MB of YAML. ` +
      'Each import runs in a fresh process (bench/import-child.ts), so its parse is as cold as in `kooperator import`; opening the database and migrating are not timed.',
  );

  await importInto(report, 'PGlite in memory', '< 10 s', 10_000, { BENCH_TARGET: 'pglite-memory' });
  await importInto(report, 'PGlite on disk (the embedded default)', '< 10 s', 10_000, {
    BENCH_TARGET: 'pglite-disk',
    DATA_DIR: join(tempDir('pglite-import'), 'data'),
  });
  const postgres = await postgresUrl();
  if ('skip' in postgres) {
    report.row('import: PostgreSQL', `skipped: ${postgres.skip}`, '< 5 s', 'skipped');
  } else {
    report.note(`import: PostgreSQL at ${redact(postgres.url)} (${postgres.origin}), in a fresh schema dropped afterwards.`);
    await importInto(report, 'PostgreSQL', '< 5 s', 5_000, { BENCH_TARGET: 'postgres', BENCH_URL: postgres.url });
  }
  await parseBreakdown(report, file);
}

async function importInto(report: Report, label: string, goal: string, goalMs: number, env: Record<string, string>): Promise<void> {
  const figures = await runChild({ ...env, BENCH_FILE: bigScheduleFile() });
  const problems = check(figures.summary, figures.stored);
  const total = figures.parseMs + figures.importMs;
  report.row(
    `import: 500 teams, ${label} (parse + validation + import)`,
    `${s(total)} (parse ${s(figures.parseMs)} + import ${s(figures.importMs)})`,
    goal,
    problems.length ? 'failed' : yesNo(total < goalMs),
  );
  for (const problem of problems) report.note(`import into ${label}: ${problem}`);
  report.row(
    `import: re-import of the same file, ${label} (nothing changes)`,
    `${s(figures.reparseMs + figures.reimportMs)} (parse ${s(figures.reparseMs)}, warm + import ${s(figures.reimportMs)})`,
  );
  if (figures.resummary.changed) report.note(`re-import into ${label} reported changes, expected none: ${JSON.stringify(figures.resummary)}`);
}

async function runChild(env: Record<string, string>): Promise<ImportFigures> {
  const child = track(
    spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'import-child.ts')], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  const tail = captureTail(child);
  const exit = await waitForExit(child, 180_000);
  if (exit.code !== 0) throw new Error(`the import child (${env.BENCH_TARGET}) exited with ${exit.code ?? exit.signal}:\n${tail()}`);
  return JSON.parse(out.trim().split('\n').pop()!) as ImportFigures;
}

/** Where loadScheduleFiles spends its time: the same steps, one by one (p50 of 3). */
async function parseBreakdown(report: Report, file: string): Promise<void> {
  const text = readFileSync(file, 'utf8');
  const steps: Record<string, number[]> = { yaml: [], toJS: [], schema: [], cross: [], load: [] };
  for (let i = 0; i < 3; i++) {
    const doc = await timed(() => parseDocument(text, { lineCounter: new LineCounter(), prettyErrors: false, uniqueKeys: true }));
    const raw = await timed(() => doc.value.toJS() as unknown);
    const schema = await timed(() => scheduleFileSchema.safeParse(raw.value));
    const cross = await timed(() => crossCheck(raw.value));
    const load = await timed(() => loadScheduleFiles([file]));
    steps.yaml!.push(doc.ms);
    steps.toJS!.push(raw.ms);
    steps.schema!.push(schema.ms);
    steps.cross!.push(cross.ms);
    steps.load!.push(load.ms);
  }
  const p = (key: string) => ms(percentile(steps[key]!, 50));
  report.row(
    '  parse + validation, breakdown (p50 of 3, warm)',
    `loadScheduleFiles ${p('load')}: YAML parseDocument ${p('yaml')} (done twice: once more in teamIdsOf) · toJS ${p('toJS')} · zod schema ${p('schema')} · cross-check ${p('cross')}`,
  );
}

function check(summary: ImportSummary, stored: ImportFigures['stored']): string[] {
  const problems: string[] = [];
  for (const [key, expected] of Object.entries(EXPECTED) as [keyof typeof EXPECTED, number][]) {
    if (summary[key].added !== expected) problems.push(`summary says ${summary[key].added} ${key} added, expected ${expected}`);
    if (stored[key] !== expected) problems.push(`the database holds ${stored[key]} ${key}, expected ${expected}`);
  }
  return problems;
}
