import { spawn, type ChildProcess } from 'node:child_process';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../adapters/db/connect.js';
import type { Db } from '../../src/db/db.port.js';
import { enqueue, type PlannedDelivery } from '../../src/delivery/outbox.js';
import { startSink } from './http-sink.js';
import { dropSchemaGuarded, migrateGuarded } from '../support/databases.js';

const url = process.env.TEST_DATABASE_URL;
const ROWS = 5000;

function worker(schema: string, sinkUrl: string, id: string): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/delivery/dispatch-worker.ts', url!, schema, sinkUrl, id], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout!.on('data', (c) => (out += c));
  (child as ChildProcess & { output: () => string }).output = () => out;
  return child;
}
const exited = (child: ChildProcess) => new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
const sentBy = (child: ChildProcess) => JSON.parse((child as ChildProcess & { output: () => string }).output().trim().split('\n').pop()!).sent as number;

describe.runIf(url)('dispatchers in separate processes on one PostgreSQL', () => {
  let admin: Db;
  let db: Db;
  let sink: Awaited<ReturnType<typeof startSink>>;
  const schema = `t_replicas_${process.pid}`;

  beforeAll(async () => {
    sink = await startSink();
    admin = await connect({ databaseUrl: url!, poolSize: 1 });
    await dropSchemaGuarded(admin, schema);
    await sql`create schema ${sql.id(schema)}`.execute(admin.db);
    db = await connect({ databaseUrl: url!, schema });
    await migrateGuarded(admin, db);
    const person = await db.db
      .insertInto('people')
      .values({ email: 'a@example.org', name: 'A', language: 'pl', channels: '["email"]', source: 't.yaml' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const fill = async (prefix: string) => {
      const rows: PlannedDelivery[] = Array.from({ length: ROWS }, (_, i) => ({
        key: `${prefix}-${i}`,
        kind: 'notice',
        personId: person.id,
        channels: ['email'],
        payload: { language: 'pl', title: `${prefix}-${i}`, text: 'x' },
        dueAt: new Date('2020-01-01T00:00:00Z'),
      }));
      await enqueue(db.db, rows);
    };
    await fill('two');
    await fill('kill');
    await db.db.updateTable('deliveries').set({ due_at: new Date('2100-01-01T00:00:00Z'), next_attempt_at: new Date('2100-01-01T00:00:00Z') }).where('dedupe_key', 'like', 'kill-%').execute();
  });
  afterAll(async () => {
    await db?.close();
    await dropSchemaGuarded(admin, schema);
    await admin?.close();
    await sink?.close();
  });

  it('should let two processes drain 5,000 rows with every row sent exactly once', async () => {
    const a = worker(schema, sink.url, 'a');
    const b = worker(schema, sink.url, 'b');
    expect(await Promise.all([exited(a), exited(b)])).toEqual([0, 0]);
    // Both took part, and between them they sent each row once.
    expect(sentBy(a)).toBeGreaterThan(0);
    expect(sentBy(b)).toBeGreaterThan(0);
    expect(sentBy(a) + sentBy(b)).toBe(ROWS);
    const titles = sink.received.map((r) => r.title).filter((t) => t.startsWith('two-'));
    expect(titles).toHaveLength(ROWS);
    expect(new Set(titles).size).toBe(ROWS);
    const left = await db.db.selectFrom('deliveries').select('state').where('dedupe_key', 'like', 'two-%').where('state', '!=', 'sent').execute();
    expect(left).toEqual([]);
  }, 120_000);

  it('should lose nothing when a process is killed mid-drain, duplicating at most one batch', async () => {
    await db.db.updateTable('deliveries').set({ next_attempt_at: new Date('2020-01-01T00:00:00Z') }).where('dedupe_key', 'like', 'kill-%').execute();
    const victim = worker(schema, sink.url, 'victim');
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (sink.received.filter((r) => r.title.startsWith('kill-')).length >= 1000) {
          clearInterval(timer);
          resolve();
        }
      }, 5);
    });
    victim.kill('SIGKILL');
    await exited(victim);
    // The dead worker's claims ended with its session: the survivor, started at once, takes them.
    expect(await exited(worker(schema, sink.url, 'survivor'))).toBe(0);
    const titles = sink.received.map((r) => r.title).filter((t) => t.startsWith('kill-'));
    expect(new Set(titles).size).toBe(ROWS);
    expect(titles.length - ROWS).toBeLessThanOrEqual(50);
  }, 120_000);
});
