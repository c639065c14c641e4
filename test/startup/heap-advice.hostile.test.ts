import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../adapters/db/connect.js';
import type { Db } from '../../src/db/db.port.js';
import { createLogger } from '../../src/log.js';
import { adviseOnHeap, heapAdvice, MANY_PEOPLE, SEMI_SPACE_FOR_MANY_MB, semiSpaceOf } from '../../src/service-startup.js';
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
  it('should advise just under 16 MB semi-spaces and not at 16', () => {
    expect(heapAdvice(MANY_PEOPLE + 1, SEMI_SPACE_FOR_MANY_MB - 0.001)).toBeDefined();
    expect(heapAdvice(MANY_PEOPLE + 1, SEMI_SPACE_FOR_MANY_MB)).toBeUndefined();
    expect(heapAdvice(MANY_PEOPLE, 1)).toBeUndefined();
  });

  it('should point at a section of docs/operations.md that exists', () => {
    const advice = heapAdvice(30_000, 1)!;
    const section = /docs\/operations\.md "([^"]+)"/.exec(advice)?.[1];
    expect(section).toBe('Sizing the heap');
    const doc = readFileSync(new URL('docs/operations.md', ROOT), 'utf8');
    expect(doc).toMatch(/^#+ Sizing the heap/m);
  });

  it("should not send an `npm start` deployment to NODE_OPTIONS alone: npm start's own options win over it", () => {
    const start = (JSON.parse(readFileSync(new URL('package.json', ROOT), 'utf8')) as { scripts: Record<string, string> }).scripts.start!;
    const flags = start.split(' ').filter((word) => word.startsWith('--max-'));
    expect(flags).toEqual(['--max-old-space-size=512', '--max-semi-space-size=1']);
    const advised = /NODE_OPTIONS="([^"]+)"/.exec(heapAdvice(30_000, 1)!)![1]!;
    // What an operator of `npm start` gets after doing as told: V8 still has 1 MB semi-spaces (515 MB: 512 + 3 × 1), still the advice.
    expect(heapLimitOf(flags, advised) / MB).toBeLessThan(520);
    expect(semiSpaceOf(flags, advised)).toBe(1);
    // So the advice must say so to them.
    expect(heapAdvice(30_000, semiSpaceOf(flags, advised))).toMatch(/npm start/);
  });

  it("should read the semi-spaces as V8 takes them (V8's limit is the old generation plus three semi-spaces)", () => {
    for (const [args, nodeOptions] of [
      [['--max-old-space-size=512'], undefined],
      [['--max-old-space-size=512', '--max-semi-space-size=1'], undefined],
      [['--max-old-space-size=512', '--max-semi-space-size=16', '--max-semi-space-size=1'], undefined],
      [['--max-old-space-size=512', '--max-semi-space-size=1', '--max-semi-space-size=16'], undefined],
      [['--max-old-space-size=512'], '--max-semi-space-size=4'],
      [['--max-old-space-size=512', '--max-semi-space-size=2'], '--max-semi-space-size=16'],
    ] as [string[], string | undefined][]) {
      // No size given: V8's own, 16 MB.
      const semi = semiSpaceOf(args, nodeOptions) ?? 16;
      expect(heapLimitOf(args, nodeOptions) / MB, `${args.join(' ')} / ${nodeOptions}`).toBe(512 + 3 * semi);
    }
  });

  it('should keep the warning short and free of anything but the count and the size', () => {
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

  it('should reach a real pino logger as one warn line with the count and the size', async () => {
    const { log, lines } = caught('info');
    await adviseOnHeap(db.db, log, 1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 40, people: MANY_PEOPLE + 1, semiSpaceMb: 1 });
    expect(lines[0]!.msg).toBe(heapAdvice(MANY_PEOPLE + 1, 1));
    const quiet = caught('info');
    await adviseOnHeap(db.db, quiet.log, 16);
    expect(quiet.lines).toHaveLength(0);
  });

  it('should neither throw nor hang on a database closed under it (a service stopped at once)', async () => {
    const other = await freshDatabase(kind);
    await other.close();
    const { log, lines } = caught('debug');
    const settled = await Promise.race([adviseOnHeap(other.db, log, 1).then(() => 'settled'), new Promise((resolve) => setTimeout(() => resolve('hung'), 5_000))]);
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
      const counting = adviseOnHeap(db.db, log, 1).then(() => 'settled');
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
