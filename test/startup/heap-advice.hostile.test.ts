import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../adapters/db/connect.js';
import type { Db } from '../../src/db/db.port.js';
import { createLogger } from '../../src/log.js';
import { adviseOnHeap, heapAdvice, HEAP_FOR_MANY_MB, MANY_PEOPLE } from '../../src/service-startup.js';
import { dialects, freshDatabase } from '../support/databases.js';

const MB = 1024 * 1024;
const ROOT = new URL('../../', import.meta.url);

/** V8's heap limit, MB, of a node started with these options (and this NODE_OPTIONS). */
function heapLimitOf(args: string[], nodeOptions?: string): number {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  if (nodeOptions) env.NODE_OPTIONS = nodeOptions;
  const out = spawnSync(process.execPath, [...args, '-e', 'process.stdout.write(String(require("v8").getHeapStatistics().heap_size_limit))'], { env, encoding: 'utf8' });
  expect(out.status, out.stderr).toBe(0);
  return Number(out.stdout);
}

/** A real pino logger of src/log.ts, its lines caught (pino's own stream replaced). */
function caught(level = 'info') {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger(level);
  (log as unknown as Record<symbol, unknown>)[pino.symbols.streamSym] = { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) };
  return { log, lines };
}

describe('heap advice, hostile: boundaries and the advice', () => {
  it('should advise on a heap limit a byte under 1 GB (rounded to 1024 MB it was taken for 1 GB)', () => {
    // "A heap limit under 1 GB gets a warning": 1 GB less one byte, or less half a MB, is under it.
    expect(heapAdvice(MANY_PEOPLE + 1, HEAP_FOR_MANY_MB * MB - 1)).toBeDefined();
    expect(heapAdvice(MANY_PEOPLE + 1, HEAP_FOR_MANY_MB * MB - MB / 2)).toBeDefined();
    expect(heapAdvice(MANY_PEOPLE + 1, HEAP_FOR_MANY_MB * MB)).toBeUndefined();
    expect(heapAdvice(MANY_PEOPLE, 1)).toBeUndefined();
  });

  it('should point at a section of docs/operations.md that exists', () => {
    const advice = heapAdvice(30_000, 515 * MB)!;
    const section = /docs\/operations\.md "([^"]+)"/.exec(advice)?.[1];
    expect(section).toBe('Sizing the heap');
    const doc = readFileSync(new URL('docs/operations.md', ROOT), 'utf8');
    expect(doc).toMatch(/^#+ Sizing the heap/m);
  });

  it("should not send an `npm start` deployment to NODE_OPTIONS alone: npm start's own options win over it", () => {
    const start = (JSON.parse(readFileSync(new URL('package.json', ROOT), 'utf8')) as { scripts: Record<string, string> }).scripts.start!;
    const flags = start.split(' ').filter((word) => word.startsWith('--max-'));
    expect(flags).toEqual(['--max-old-space-size=512', '--max-semi-space-size=1']);
    const advised = /NODE_OPTIONS="([^"]+)"/.exec(heapAdvice(30_000, 515 * MB)!)![1]!;
    // What an operator of `npm start` gets after doing as told: still 515 MB, still the advice.
    const limit = heapLimitOf(flags, advised);
    expect(limit / MB).toBeLessThan(HEAP_FOR_MANY_MB);
    expect(heapAdvice(30_000, limit)).toBeDefined();
    // So the advice must say so to them.
    expect(heapAdvice(30_000, limit)).toMatch(/npm start/);
  });

  it("should hold V8's own limits: 512 MB is advised on, the advised 2048 MB is not, and the last option wins", () => {
    expect(heapAdvice(30_000, heapLimitOf(['--max-old-space-size=512']))).toBeDefined();
    expect(heapAdvice(30_000, heapLimitOf(['--max-old-space-size=512', '--max-semi-space-size=1']))).toBeDefined();
    expect(heapAdvice(30_000, heapLimitOf(['--max-old-space-size=2048', '--max-semi-space-size=16']))).toBeUndefined();
    // bench/national.bench.ts: BENCH_NATIONAL_CHILD_ARGS after NATIONAL_HEAP overrides it.
    expect(heapLimitOf(['--max-old-space-size=2048', '--max-semi-space-size=16', '--max-old-space-size=512', '--max-semi-space-size=1']) / MB).toBeLessThan(HEAP_FOR_MANY_MB);
    expect(heapLimitOf(['--max-old-space-size=512', '--max-old-space-size=2048']) / MB).toBeGreaterThanOrEqual(2048);
  });

  it('should keep the warning short and free of anything but the count and the limit', () => {
    const advice = heapAdvice(Number.MAX_SAFE_INTEGER, 1)!;
    expect(advice.length).toBeLessThan(600);
    expect(advice).not.toMatch(/secret|password|postgres:\/\//i);
  });
});

describe.each(dialects)('heap advice, hostile, on %s', (kind) => {
  let db: Db;
  beforeAll(async () => {
    db = await freshDatabase(kind);
    await sql`insert into people (email, name, source) select 'p' || i || '@example.org', 'Osoba ' || i, 'test' from generate_series(1, ${MANY_PEOPLE + 1}) as i`.execute(db.db);
  }, 60_000);
  afterAll(async () => db?.close());

  it('should reach a real pino logger as one warn line with the count and the limit', async () => {
    const { log, lines } = caught('info');
    await adviseOnHeap(db.db, log, 515 * MB);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 40, people: MANY_PEOPLE + 1, heapLimitMb: 515 });
    expect(lines[0]!.msg).toBe(heapAdvice(MANY_PEOPLE + 1, 515 * MB));
    const quiet = caught('info');
    await adviseOnHeap(db.db, quiet.log, 2048 * MB);
    expect(quiet.lines).toHaveLength(0);
  });

  it('should neither throw nor hang on a database closed under it (a service stopped at once)', async () => {
    const other = await freshDatabase(kind);
    await other.close();
    const { log, lines } = caught('debug');
    const settled = await Promise.race([adviseOnHeap(other.db, log, 515 * MB).then(() => 'settled'), new Promise((resolve) => setTimeout(() => resolve('hung'), 5_000))]);
    expect(settled).toBe('settled');
    // PostgreSQL refuses the count (a debug line); PGlite still answered it after close() (0 people, nothing said).
    expect(lines.every((l) => l.level === 20)).toBe(true);
  });

  it.runIf(kind === 'postgres')('(evidence) a count behind a lock on people waits for it: the start must not wait for the count', async () => {
    const schema = (await sql<{ s: string }>`select current_schema() as s`.execute(db.db)).rows[0]!.s;
    const holder = await connect({ databaseUrl: process.env.TEST_DATABASE_URL!, schema, poolSize: 1 });
    try {
      const { log, lines } = caught('debug');
      let release: () => void = () => undefined;
      const released = new Promise<void>((resolve) => (release = resolve));
      let locked: () => void = () => undefined;
      const isLocked = new Promise<void>((resolve) => (locked = resolve));
      const holding = holder.db.transaction().execute(async (trx) => {
        await sql`lock table people in access exclusive mode`.execute(trx);
        locked();
        await released;
      });
      await isLocked;
      const counting = adviseOnHeap(db.db, log, 515 * MB).then(() => 'settled');
      const after2s = await Promise.race([counting, new Promise((resolve) => setTimeout(() => resolve('waiting'), 2_000))]);
      expect(after2s).toBe('waiting');
      release();
      await holding;
      expect(await counting).toBe('settled');
      expect(lines.map((l) => l.level)).toEqual([40]);
    } finally {
      await holder.close();
    }
  }, 20_000);
});
