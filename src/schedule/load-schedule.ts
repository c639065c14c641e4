import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { isMap, isNode, LineCounter, parseDocument, type Document } from 'yaml';
import { scheduleFileSchema, type ScheduleFile } from './schedule-file.schema.js';
import { crossCheck, formatPath } from './cross-check.js';

/** One problem in a schedule file: the file, the path inside it, the line, and what is wrong. */
export interface ScheduleProblem {
  file: string;
  path: string;
  line?: number;
  message: string;
}

export class ScheduleInvalidError extends Error {
  readonly code = 'SCHEDULE_INVALID';
  constructor(readonly problems: ScheduleProblem[]) {
    super(`${problems.length} problem(s) in schedule files:\n${problems.map(formatProblem).join('\n')}`);
  }
}

export function formatProblem(p: ScheduleProblem): string {
  const where = p.line ? `${p.file}:${p.line}` : p.file;
  return `${where}: ${p.path || '(top)'}: ${p.message}`;
}

export interface LoadedSchedule {
  /** The name entities remember they came from: the file's base name. */
  source: string;
  file: string;
  data: ScheduleFile;
}

/** Parses and validates one file's text; problems come back instead of being thrown. */
export function parseScheduleText(
  file: string,
  text: string,
  otherTeams: ReadonlySet<string> = new Set(),
): { data?: ScheduleFile; problems: ScheduleProblem[] } {
  const parsed = parseYaml(file, text);
  return 'problems' in parsed ? parsed : validateSchedule(file, parsed, otherTeams);
}

interface ParsedYaml {
  doc: Document;
  lines: LineCounter;
  raw: unknown;
}

function parseYaml(file: string, text: string): ParsedYaml | { problems: ScheduleProblem[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      problems: doc.errors.map((e) => ({ file, path: '', line: lines.linePos(e.pos[0]).line, message: `YAML: ${e.message.split('\n')[0]}` })),
    };
  }
  if (!isMap(doc.contents) && doc.contents !== null) {
    return { problems: [{ file, path: '', line: 1, message: 'must be a mapping with teams, staff and activities' }] };
  }
  return { doc, lines, raw: doc.toJS() ?? {} };
}

function validateSchedule(file: string, { doc, lines, raw }: ParsedYaml, otherTeams: ReadonlySet<string>): { data?: ScheduleFile; problems: ScheduleProblem[] } {
  const lineOf = (path: ReadonlyArray<PropertyKey>) => nodeLine(doc, lines, path);
  const problems: ScheduleProblem[] = [];
  const parsed = scheduleFileSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path as PropertyKey[];
      const message =
        issue.code === 'unrecognized_keys'
          ? `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `\`${k}\``).join(', ')}`
          : issue.message;
      const keyPath = issue.code === 'unrecognized_keys' && issue.keys[0] ? [...path, issue.keys[0]] : path;
      problems.push({ file, path: formatPath(keyPath), line: lineOf(keyPath) ?? lineOf(path), message });
    }
  }
  for (const problem of crossCheck(raw, otherTeams)) problems.push({ file, ...problem, line: lineOf(problem.segments) });
  return parsed.success && problems.length === 0 ? { data: parsed.data, problems } : { problems };
}

function nodeLine(doc: Document, lines: LineCounter, path: ReadonlyArray<PropertyKey>): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n) as unknown[], true);
    if (isNode(node) && node.range) return lines.linePos(node.range[0]).line;
  }
  return undefined;
}

/** Reads and validates every file; throws one ScheduleInvalidError listing all problems of all files. */
export async function loadScheduleFiles(files: string[], knownTeams: ReadonlySet<string> = new Set()): Promise<LoadedSchedule[]> {
  const problems: ScheduleProblem[] = [];
  const loaded: LoadedSchedule[] = [];
  const texts = new Map<string, string>();
  for (const file of files) {
    try {
      texts.set(file, await readFile(file, 'utf8'));
    } catch (error) {
      problems.push({ file, path: '', message: `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})` });
    }
  }
  // Each file is parsed once; an audience may then name a team of another file of the same
  // import, or one already stored.
  const parsed = new Map([...texts].map(([file, text]) => [file, parseYaml(file, text)]));
  const teams = new Set(knownTeams);
  for (const yaml of parsed.values()) if (!('problems' in yaml)) for (const id of teamIdsOf(yaml.raw)) teams.add(id);
  for (const [file, yaml] of parsed) {
    const result: { data?: ScheduleFile; problems: ScheduleProblem[] } = 'problems' in yaml ? yaml : validateSchedule(file, yaml, teams);
    problems.push(...result.problems);
    if (result.data) loaded.push({ source: basename(file), file, data: result.data });
  }
  problems.push(...crossFileCheck(loaded));
  if (problems.length > 0) throw new ScheduleInvalidError(problems);
  return loaded;
}

function teamIdsOf(raw: unknown): string[] {
  const teams = (raw as { teams?: unknown } | null)?.teams;
  return (Array.isArray(teams) ? teams : []).map((t: { id?: unknown } | null) => t?.id).filter((id): id is string => typeof id === 'string');
}

/** Ids must be unique across the files of one import too. */
function crossFileCheck(loaded: LoadedSchedule[]): ScheduleProblem[] {
  const problems: ScheduleProblem[] = [];
  const seenSources = new Map<string, string>();
  const seenTeams = new Map<string, string>();
  const seenActivities = new Map<string, string>();
  for (const { file, source, data } of loaded) {
    const other = seenSources.get(source);
    if (other) problems.push({ file, path: '', message: `has the same file name as ${other}; files are told apart by name` });
    seenSources.set(source, file);
    data.teams.forEach((team, i) => {
      const first = seenTeams.get(team.id);
      if (first && first !== file) problems.push({ file, path: `teams[${i}].id`, message: `"${team.id}" is already a team in ${first}` });
      seenTeams.set(team.id, file);
    });
    data.activities.forEach((activity, i) => {
      const first = seenActivities.get(activity.id);
      if (first && first !== file) problems.push({ file, path: `activities[${i}].id`, message: `"${activity.id}" is already an activity in ${first}` });
      seenActivities.set(activity.id, file);
    });
  }
  return problems;
}
