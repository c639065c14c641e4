/**
 * After a SIGKILL mid-burst, how long from the restart until every row the dead process had
 * claimed is sent: the real service (`node bin/kooperator.js serve`, PGlite in DATA_DIR, e-mail
 * to the .eml outbox folder), 1,000 due rows seeded before the start.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { simpleParser } from 'mailparser';
import { connect } from '../adapters/db/connect.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { seedDue } from './delivery-fixtures.js';
import { Report, int, s, sleep, track, yesNo } from './support.js';

const ROWS = 1_000;
const LIMIT_MS = 60_000;

function serve(dataDir: string) {
  return track(spawn(process.execPath, ['bin/kooperator.js', 'serve'], { env: { ...process.env, DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn' }, stdio: ['ignore', 'ignore', 'inherit'] }));
}

/** Subjects of the .eml files in the outbox not read before (`seen` remembers the files). */
async function newSubjects(outbox: string, seen: Set<string>): Promise<string[]> {
  let names: string[] = [];
  try {
    names = readdirSync(outbox).filter((n) => n.endsWith('.eml') && !seen.has(n));
  } catch {
    return [];
  }
  const subjects: string[] = [];
  for (const name of names) {
    seen.add(name);
    subjects.push((await simpleParser(readFileSync(join(outbox, name)))).subject ?? '');
  }
  return subjects;
}

export async function crashRestartBenchmark(report: Report): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-crash-'));
  const outbox = join(dataDir, 'outbox');
  const seed = await connect({ pgliteDir: dataDir });
  await migrateToLatest(seed.db);
  await seedDue(seed.db, ROWS, new Date(Date.now() - 1_000));
  await seed.close();

  const first = serve(dataDir);
  const seen = new Set<string>();
  let before = 0;
  while (before < 40) {
    before += (await newSubjects(outbox, seen)).length;
    await sleep(50);
  }
  first.kill('SIGKILL');
  await new Promise((resolve) => first.once('exit', resolve));
  before += (await newSubjects(outbox, seen)).length;

  const look = await connect({ pgliteDir: dataDir });
  const claimed = await look.db.selectFrom('deliveries').select('payload').where('state', '=', 'sending').execute();
  await look.close();
  const waiting = new Set(claimed.map((r) => (r.payload as { title: string }).title));
  const claimedCount = waiting.size;

  const restarted = performance.now();
  const second = serve(dataDir);
  let tookMs: number | undefined;
  while (performance.now() - restarted < LIMIT_MS) {
    for (const subject of await newSubjects(outbox, seen)) waiting.delete(subject);
    if (waiting.size === 0) {
      tookMs = performance.now() - restarted;
      break;
    }
    await sleep(100);
  }
  second.kill('SIGTERM');
  await new Promise((resolve) => second.once('exit', resolve));
  report.row(
    `crash: SIGKILL after ${int(before)} of ${int(ROWS)} due e-mails, restart at once, PGlite: from the restart until the ${int(claimedCount)} rows the dead process had claimed are sent`,
    tookMs === undefined ? `not within ${s(LIMIT_MS)} (${int(waiting.size)} of them still unsent)` : s(tookMs),
    '< 10 s',
    yesNo(tookMs !== undefined && tookMs < 10_000),
  );
}
