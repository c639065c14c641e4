import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { connect } from '../../adapters/db/connect.js';
import type { Db } from '../../src/db/db.port.js';
import { startSmtp, type FakeSmtp } from '../adapters/email/support.js';
import { aMember, aTeam, scheduleYaml } from '../schedule/support/schedule-builder.js';
import { dropSchemaGuarded, migrateGuarded } from '../support/databases.js';
import { kooperator, runKooperator, until, type ServiceProcess } from './service-process.js';

/**
 * Issue 12, process level on PostgreSQL: two real services (`node bin/kooperator.js serve`) on one
 * schema send a burst of reminders to a real SMTP server on 127.0.0.1; one is SIGKILLed while it
 * holds claimed rows (advisory locks on its own session, named `kooperator claims <pid>`). Its
 * claims end with its session: the rows it held must be sent (by the survivor, or by the killed
 * one started again at once) without waiting for anything, every
 * member must get their reminder before the meeting, and only a row the dead one held can arrive
 * twice (its send may have left before the kill recorded it).
 */
const url = process.env.TEST_DATABASE_URL;
const MEMBERS = 200;
const TIMEOUT_SECONDS = 3;
/** Reminders fall due this long after the import begins: the import plans them, the services start meanwhile. */
const LEAD_MS = 15_000;

/** One team of MEMBERS people (e-mail) meeting at `meeting`, reminded `offset` before. */
function teamMeetingAt(meeting: DateTime, offset: string): string {
  return scheduleYaml({
    teams: [
      aTeam({
        id: 'pilny',
        name: 'PZK Pilny',
        meetings: { starts: meeting.toFormat("yyyy-MM-dd'T'HH:mm"), rrule: 'FREQ=WEEKLY', reminders: [offset], on_holiday: 'keep' },
        members: Array.from({ length: MEMBERS }, (_, i) => aMember({ name: `Osoba ${i}`, email: `osoba${i}@example.org`, role: i === 0 ? 'coordinator' : 'member' })),
      }),
    ],
    activities: [],
  });
}

const recipientOf = (mail: FakeSmtp['mails'][number]) => (mail.to && 'value' in mail.to ? mail.to.value[0]?.address : undefined) ?? '?';

/** The database URL a process of this schema uses (libpq's `options`, as `psql` takes it). */
function schemaUrl(schema: string): string {
  const u = new URL(url!);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}

async function run(restartKilled: boolean): Promise<void> {
  const schema = `t_crash_${randomBytes(5).toString('hex')}`;
  const admin = await connect({ databaseUrl: url!, poolSize: 1 });
  await sql`create schema ${sql.id(schema)}`.execute(admin.db);
  const db: Db = await connect({ databaseUrl: url!, schema, poolSize: 2 });
  const smtp = await startSmtp();
  const running: ServiceProcess[] = [];
  const started = Date.now();
  try {
    await migrateGuarded(admin, db);
    const dataDir = mkdtempSync(join(tmpdir(), 'koop-replicas-'));
    const meeting = DateTime.now().setZone('Europe/Warsaw').plus({ minutes: 3 }).startOf('minute');
    const dueAt = Date.now() + LEAD_MS;
    const offset = `PT${Math.floor((meeting.toMillis() - dueAt) / 1000)}S`;
    writeFileSync(join(dataDir, 'pilny.yaml'), teamMeetingAt(meeting, offset));
    const env = {
      DATA_DIR: dataDir,
      PORT: '0',
      DATABASE_URL: schemaUrl(schema),
      APP_SECRET: 'r'.repeat(40),
      SMTP_URL: `smtp://127.0.0.1:${smtp.port}?ignoreTLS=true`,
      MAIL_FROM: 'kooperator@example.org',
      REPLICA_TIMEOUT_SECONDS: String(TIMEOUT_SECONDS),
    };
    await kooperator(['import', join(dataDir, 'pilny.yaml')], env);
    expect(Date.now(), 'the import planned the reminders before they fell due').toBeLessThan(dueAt);
    // This meeting's reminders; the later weeks' are planned too, and stay pending.
    const planned = await db.db.selectFrom('deliveries').select((eb) => eb.fn.countAll<number>().as('n')).where('expires_at', '=', meeting.toJSDate()).executeTakeFirstOrThrow();
    expect(Number(planned.n)).toBe(MEMBERS);

    const victim = runKooperator(['serve'], env);
    const survivor = runKooperator(['serve'], env);
    running.push(victim, survivor);
    // The victim holds claimed rows (its session's advisory locks) and the burst is under way.
    const heldBy = async (pid: number) =>
      (await sql<{ id: number; email: string }>`
        select d.id, p.email from deliveries d join people p on p.id = d.person_id
        join pg_locks l on l.locktype = 'advisory' and l.objsubid = 2 and l.classid = 'deliveries'::regclass::oid and l.objid = (d.id % 2147483648)::oid
        join pg_stat_activity a on a.pid = l.pid and a.application_name = ${`kooperator claims ${pid}`}`.execute(db.db)).rows;
    let held: { id: number; email: string }[] = [];
    await until(async () => smtp.mails.length >= 20 && (held = await heldBy(victim.child.pid!)).length > 0, 45_000, 'the victim holds rows mid-burst');
    victim.child.kill('SIGKILL');
    // Held at the kill: those just seen, and any its session still showed (it ends within moments).
    const after = await heldBy(victim.child.pid!);
    held = [...new Map([...held, ...after].map((r) => [r.id, r])).values()];
    const { at: killedAt } = await victim.exited;
    const atKill = smtp.mails.length;
    const restarted = restartKilled ? runKooperator(['serve'], env) : undefined;
    if (restarted) running.push(restarted);

    const everyone = () => new Set(smtp.mails.map(recipientOf)).size >= MEMBERS;
    await until(everyone, Math.min(45_000, meeting.toMillis() - Date.now()), 'every member reminded before the meeting').catch((error: Error) => {
      throw new Error(`${error.message} (${smtp.mails.length} mails, ${atKill} at the kill, ${held.length} held by the killed one); the survivor said:\n${survivor.output().slice(-3000)}`);
    });
    // What the services record trails the mails by up to 200 ms.
    await until(async () => (await sql<{ n: number }>`select count(*)::int as n from deliveries where state = 'sent' and expires_at = ${meeting.toJSDate()}`.execute(db.db)).rows[0]!.n === MEMBERS, 5000, 'every row recorded sent');

    const perMember = new Map<string, number>();
    for (const mail of smtp.mails) perMember.set(recipientOf(mail), (perMember.get(recipientOf(mail)) ?? 0) + 1);
    const twice = [...perMember].filter(([, n]) => n > 1).map(([to]) => to);
    const heldEmails = new Set(held.map((r) => r.email));
    const heldSent = (await db.db.selectFrom('deliveries').select(['sent_at']).where('id', 'in', held.map((r) => r.id)).execute()).map((r) => r.sent_at!.getTime());
    console.log(
      `replicas crash test (${restartKilled ? 'killed one restarted' : 'survivor alone'}): ${atKill} mails before the kill, ${held.length} rows held by the killed one, ` +
        `sent again ${Math.min(...heldSent) - killedAt}–${Math.max(...heldSent) - killedAt} ms after the kill; ${smtp.mails.length} mails in all, ${twice.length} twice; ${Date.now() - started} ms`,
    );
    expect(held.length, 'the killed one held claimed rows').toBeGreaterThan(0);
    expect(perMember.size).toBe(MEMBERS);
    expect(Math.max(...perMember.values())).toBeLessThanOrEqual(2);
    // Exactly once, but for a row the dead one held: its send may have left before the kill.
    expect(twice.filter((to) => !heldEmails.has(to))).toEqual([]);
    // Free at once (the dead one's session ended): sent within the rest of the burst, nothing
    // waiting for a heartbeat limit or a lease.
    expect(Math.max(...heldSent) - killedAt).toBeLessThan(30_000);
    const sent = await db.db.selectFrom('deliveries').select('sent_at').where('expires_at', '=', meeting.toJSDate()).execute();
    expect(Math.max(...sent.map((r) => r.sent_at!.getTime()))).toBeLessThan(meeting.toMillis());
  } finally {
    for (const s of running) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
    await Promise.all(running.map((s) => s.exited));
    await smtp.close();
    await db.close();
    await dropSchemaGuarded(admin, schema);
    await admin.close();
  }
}

describe.runIf(url)('two replicas on one PostgreSQL, one killed (SIGKILL) in the middle of a burst of reminders', () => {
  it.concurrent(`should get every one of ${MEMBERS} members their reminder once, the dead one's rows sent by the survivor`, { timeout: 120_000 }, () => run(false));
  it.concurrent(`should do the same when the killed one is started again at once`, { timeout: 120_000 }, () => run(true));
});
