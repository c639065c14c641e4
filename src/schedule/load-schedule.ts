import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { isMap, isNode, LineCounter, parseDocument, type Document } from 'yaml';
import { aliasSize, MAX_ALIAS_COPIED_NODES } from './alias-size.js';
import { scheduleFileSchema, type ScheduleFile } from './schedule-file.schema.js';
import { crossCheck, formatPath } from './cross-check.js';
import type { Language } from '../i18n/messages.js';
import { scheduleProblemMessages, type ScheduleProblemTexts } from '../i18n/schedule-problem-messages.js';
import type { z } from 'zod';

/**
 * A region's schedule (a hundred teams with their members) is a few hundred KB; parsing and
 * checking 2 MB (400 teams, 12 000 members) took 4 s and 270 MB here. Larger files are refused before they are read: a 50 MB
 * one took 217 s and 1.66 GB.
 */
export const MAX_SCHEDULE_BYTES = 2 * 1024 * 1024;
/** One problem in a schedule file: the file, the path inside it, the line, and what is wrong. */
export interface ScheduleProblem {
  file: string;
  path: string;
  line?: number;
  message: string;
}

export class ScheduleInvalidError extends Error {
  readonly code = 'SCHEDULE_INVALID';
  /**
   * `usable`: the parts of the files without problems of their own (whole valid files, and the
   * valid entries of the others), so the database can still be asked about them in the same run.
   */
  constructor(
    readonly problems: ScheduleProblem[],
    readonly usable: LoadedSchedule[] = [],
  ) {
    super(`${problems.length} problem(s) in schedule files:\n${problems.map(formatProblem).join('\n')}`);
  }
}

export function formatProblem(p: ScheduleProblem): string {
  return formatProblemIn(p, 'en');
}

/** file:line: path: message, with "(top)" for the whole file in the operator's language. */
export function formatProblemIn(p: ScheduleProblem, language: Language): string {
  const where = p.line ? `${p.file}:${p.line}` : p.file;
  return `${where}: ${p.path || scheduleProblemMessages[language].top}: ${p.message}`;
}

export interface LoadedSchedule {
  /** The name entities remember they came from: the file's base name. */
  source: string;
  file: string;
  data: ScheduleFile;
  /** Every team id the file names, also of entries left out of `data` for their own problems. */
  teamIds?: string[];
  /** Where a path of `data` is in the file as written: its path there (entries may have been left out) and its line. */
  locate?: (path: string) => { path: string; line?: number };
}

/** Parses and validates one file's text; problems come back instead of being thrown. */
export function parseScheduleText(
  file: string,
  text: string,
  otherTeams: ReadonlySet<string> = new Set(),
  language: Language = 'en',
): { data?: ScheduleFile; problems: ScheduleProblem[] } {
  const t = scheduleProblemMessages[language];
  const parsed = parseYaml(file, text, t);
  return 'problems' in parsed ? parsed : validateSchedule(file, parsed, otherTeams, language);
}

interface ParsedYaml {
  doc: Document;
  lines: LineCounter;
  raw: unknown;
}

function parseYaml(file: string, text: string, t: ScheduleProblemTexts): ParsedYaml | { problems: ScheduleProblem[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      problems: doc.errors.map((e) => ({ file, path: '', line: lines.linePos(e.pos[0]).line, message: t.yaml(e.message.split('\n')[0]!) })),
    };
  }
  if (!isMap(doc.contents) && doc.contents !== null) {
    return { problems: [{ file, path: '', line: 1, message: t.notMapping }] };
  }
  // Aliases are weighed by what they copy, before anything expands them (yaml's maxAliasCount
  // counts uses, and refused the 101st member reusing `channels: *email`).
  const aliases = aliasSize(doc);
  if ('circular' in aliases) return { problems: [{ file, path: '', message: t.aliasCircular(aliases.circular) }] };
  if (aliases.copied > MAX_ALIAS_COPIED_NODES) {
    return { problems: [{ file, path: '', message: t.aliasTooMuch(MAX_ALIAS_COPIED_NODES) }] };
  }
  try {
    return { doc, lines, raw: doc.toJS({ maxAliasCount: -1 }) ?? {} };
  } catch (error) {
    // yaml throws a ReferenceError for an alias whose anchor is not set before it.
    if (!(error instanceof ReferenceError)) throw error;
    return { problems: [{ file, path: '', message: t.yaml(error.message) }] };
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The file's text, or the problem: missing, too large, or not UTF-8 (naming the first bad line). */
async function readScheduleText(file: string, t: ScheduleProblemTexts): Promise<string | ScheduleProblem> {
  try {
    const { size } = await stat(file);
    const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
    if (size > MAX_SCHEDULE_BYTES) return { file, path: '', message: t.tooLarge(mb(size), mb(MAX_SCHEDULE_BYTES)) };
    const bytes = await readFile(file);
    try {
      return utf8.decode(bytes);
    } catch {
      return { file, path: '', line: firstBadLine(bytes), message: t.notUtf8 };
    }
  } catch (error) {
    return { file, path: '', message: t.unreadable((error as NodeJS.ErrnoException).code ?? 'error') };
  }
}

/** The 1-based number of the first line that is not valid UTF-8. */
function firstBadLine(bytes: Buffer): number {
  let line = 1;
  let start = 0;
  while (start <= bytes.length) {
    const end = bytes.indexOf(0x0a, start);
    const stop = end < 0 ? bytes.length : end;
    try {
      utf8.decode(bytes.subarray(start, stop));
    } catch {
      return line;
    }
    if (end < 0) break;
    line++;
    start = end + 1;
  }
  return line;
}

function validateSchedule(file: string, { doc, lines, raw }: ParsedYaml, otherTeams: ReadonlySet<string>, language: Language): { data?: ScheduleFile; problems: ScheduleProblem[] } {
  const lineOf = (path: ReadonlyArray<PropertyKey>) => nodeLine(doc, lines, path);
  const problems: ScheduleProblem[] = [];
  const parsed = scheduleFileSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path as PropertyKey[];
      const keyPath = issue.code === 'unrecognized_keys' && issue.keys[0] ? [...path, issue.keys[0]] : path;
      problems.push({ file, path: formatPath(keyPath), line: lineOf(keyPath) ?? lineOf(path), message: describeIssue(issue, scheduleProblemMessages[language]) });
    }
  }
  for (const problem of crossCheck(raw, otherTeams, language)) problems.push({ file, ...problem, line: lineOf(problem.segments) });
  return parsed.success && problems.length === 0 ? { data: parsed.data, problems } : { problems };
}

/** A validator issue in the operator's words: the schema's own checks by their key, zod's general ones by their code. */
function describeIssue(issue: z.core.$ZodIssue, t: ScheduleProblemTexts): string {
  if (issue.message in t && typeof t[issue.message as keyof ScheduleProblemTexts] === 'string') return t[issue.message as keyof ScheduleProblemTexts] as string;
  switch (issue.code) {
    case 'unrecognized_keys':
      return t.unknownKeys(issue.keys);
    case 'invalid_type':
      return issue.input === undefined ? t.required : t.type(issue.expected);
    case 'invalid_value':
      return t.oneOf(issue.values);
    case 'too_big':
      return issue.origin === 'string' ? t.tooLongText(Number(issue.maximum)) : issue.origin === 'array' ? t.tooManyItems(Number(issue.maximum)) : t.invalid;
    case 'too_small':
      if (issue.origin === 'string') return t.notEmpty;
      if (issue.origin === 'array') return t.tooFewItems(Number(issue.minimum));
      return issue.origin === 'number' && Number(issue.minimum) === 0 ? t.positive : t.invalid;
    default:
      return t.invalid;
  }
}

function nodeLine(doc: Document, lines: LineCounter, path: ReadonlyArray<PropertyKey>): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n) as unknown[], true);
    if (isNode(node) && node.range) return lines.linePos(node.range[0]).line;
  }
  return undefined;
}

/** Reads and validates every file; throws one ScheduleInvalidError listing all problems of all files. */
export async function loadScheduleFiles(files: string[], knownTeams: ReadonlySet<string> = new Set(), language: Language = 'en'): Promise<LoadedSchedule[]> {
  const t = scheduleProblemMessages[language];
  const problems: ScheduleProblem[] = [];
  const loaded: LoadedSchedule[] = [];
  const texts = new Map<string, string>();
  for (const file of files) {
    const text = await readScheduleText(file, t);
    if (typeof text === 'string') texts.set(file, text);
    else problems.push(text);
  }
  // Each file is parsed once; an audience may then name a team of another file of the same
  // import, or one already stored.
  const parsed = new Map([...texts].map(([file, text]) => [file, parseYaml(file, text, t)]));
  const teams = new Set(knownTeams);
  for (const yaml of parsed.values()) if (!('problems' in yaml)) for (const id of teamIdsOf(yaml.raw)) teams.add(id);
  for (const [file, yaml] of parsed) {
    const result: { data?: ScheduleFile; problems: ScheduleProblem[] } = 'problems' in yaml ? yaml : validateSchedule(file, yaml, teams, language);
    problems.push(...result.problems);
    if (result.data) loaded.push({ source: basename(file), file, data: result.data });
  }
  // Across files on the raw data of every file that parsed, valid or not: a clash is told now, not after the other problems are fixed.
  problems.push(...crossFileCheck([...parsed].flatMap(([file, yaml]) => ('problems' in yaml ? [] : [{ file, yaml }])), t));
  if (problems.length > 0) {
    const usable = [...parsed].flatMap(([file, yaml]) => {
      const part = 'problems' in yaml ? undefined : validPart(file, yaml, problems);
      return part ? [part] : [];
    });
    throw new ScheduleInvalidError(problems, usable);
  }
  return loaded.map((schedule) => {
    const yaml = parsed.get(schedule.file) as ParsedYaml;
    return { ...schedule, teamIds: teamIdsOf(yaml.raw), locate: locator(yaml, undefined) };
  });
}

const LISTS = ['teams', 'staff', 'activities'] as const;
type Positions = Record<(typeof LISTS)[number], number[]>;

/**
 * The entries of a file with problems that have none of their own, as a schedule the database
 * can be asked about. A problem outside the three lists (the file's time zone, a list that is
 * not a list) leaves nothing certain: then the file has no usable part.
 */
function validPart(file: string, yaml: ParsedYaml, problems: ScheduleProblem[]): LoadedSchedule | undefined {
  const root = yaml.raw;
  if (!root || typeof root !== 'object' || Array.isArray(root)) return undefined;
  const mine = problems.filter((p) => p.file === file);
  if (mine.some((p) => !LISTS.some((list) => p.path.startsWith(`${list}[`)))) return undefined;
  const positions: Positions = { teams: [], staff: [], activities: [] };
  const part: Record<string, unknown> = { ...(root as Record<string, unknown>) };
  for (const list of LISTS) {
    const entries = part[list];
    if (!Array.isArray(entries)) continue;
    const bad = new Set(mine.map((p) => indexIn(p.path, list)).filter((i) => i !== undefined));
    positions[list] = entries.map((_, i) => i).filter((i) => !bad.has(i));
    part[list] = positions[list].map((i) => entries[i] as unknown);
  }
  const parsed = scheduleFileSchema.safeParse(part);
  if (!parsed.success) return undefined;
  return { source: basename(file), file, data: parsed.data, teamIds: teamIdsOf(root), locate: locator(yaml, positions) };
}

function indexIn(path: string, list: string): number | undefined {
  const match = new RegExp(`^${list}\\[(\\d+)\\]`).exec(path);
  return match ? Number(match[1]) : undefined;
}

/** Paths of a (possibly partial) file's data back to the file as written, with their lines. */
function locator(yaml: ParsedYaml, positions: Positions | undefined): (path: string) => { path: string; line?: number } {
  return (path) => {
    const match = /^(teams|staff|activities)\[(\d+)\](.*)$/.exec(path);
    const at = match && positions ? positions[match[1] as keyof Positions][Number(match[2])] : undefined;
    const written = match && at !== undefined ? `${match[1]}[${at}]${match[3]}` : path;
    const segments = [...written.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : m[1]!));
    return { path: written, line: nodeLine(yaml.doc, yaml.lines, segments) };
  };
}

function teamIdsOf(raw: unknown): string[] {
  const teams = (raw as { teams?: unknown } | null)?.teams;
  return (Array.isArray(teams) ? teams : []).map((t: { id?: unknown } | null) => t?.id).filter((id): id is string => typeof id === 'string');
}

/** Ids must be unique across the files of one import too. */
function crossFileCheck(files: { file: string; yaml: ParsedYaml }[], t: ScheduleProblemTexts): ScheduleProblem[] {
  const problems: ScheduleProblem[] = [];
  const seenSources = new Map<string, string>();
  const seenTeams = new Map<string, string>();
  const seenActivities = new Map<string, string>();
  for (const { file, yaml } of files) {
    const { raw } = yaml;
    const lineOf = (path: PropertyKey[]) => nodeLine(yaml.doc, yaml.lines, path);
    const source = basename(file);
    const other = seenSources.get(source);
    if (other) problems.push({ file, path: '', message: t.sameFileName(other) });
    seenSources.set(source, file);
    idsOf(raw, 'teams').forEach((id, i) => {
      const first = id === undefined ? undefined : seenTeams.get(id);
      if (id !== undefined && first && first !== file) problems.push({ file, path: `teams[${i}].id`, line: lineOf(['teams', i, 'id']), message: t.teamInOtherFile(id, first) });
      if (id !== undefined) seenTeams.set(id, file);
    });
    idsOf(raw, 'activities').forEach((id, i) => {
      const first = id === undefined ? undefined : seenActivities.get(id);
      if (id !== undefined && first && first !== file) problems.push({ file, path: `activities[${i}].id`, line: lineOf(['activities', i, 'id']), message: t.activityInOtherFile(id, first) });
      if (id !== undefined) seenActivities.set(id, file);
    });
  }
  return problems;
}

/** The ids of a list in the raw file, by position (undefined where an entry has none). */
function idsOf(raw: unknown, list: 'teams' | 'activities'): (string | undefined)[] {
  const entries = (raw as Record<string, unknown> | null)?.[list];
  return (Array.isArray(entries) ? entries : []).map((e: { id?: unknown } | null) => (typeof e?.id === 'string' ? e.id : undefined));
}
