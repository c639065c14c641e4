import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterAll, describe, expect, it } from 'vitest';
import { connect } from '../../adapters/db/connect.js';
import { kooperator, runKooperator, until, type ServiceProcess } from './service-process.js';
import { bigTeamWithWorkshop } from './schedule-of.js';

/** An SMTP server on 127.0.0.1 that takes 30 s to accept each mail: sends in flight at a stop never end by themselves. */
async function slowSmtp(): Promise<{ port: number; started: () => number; close(): Promise<void> }> {
  let started = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      started++;
      stream.resume();
      stream.on('end', () => setTimeout(() => callback(), 30_000).unref());
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as { port: number }).port;
  return { port, started: () => started, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('the service stopped by SIGTERM while it is busy', () => {
  let service: ServiceProcess | undefined;
  let smtp: Awaited<ReturnType<typeof slowSmtp>> | undefined;
  afterAll(async () => {
    if (service && service.child.exitCode === null && service.child.signalCode === null) service.child.kill('SIGKILL');
    await smtp?.close();
  });

  it('should be gone within 5 s with exit code 0, with 500 invitations queued to a slow mail server', { timeout: 180_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'koop-sigterm-'));
    const file = join(dataDir, 'big.yaml');
    writeFileSync(file, bigTeamWithWorkshop(500));
    smtp = await slowSmtp();
    const env = { DATA_DIR: dataDir, PORT: '0', SMTP_URL: `smtp://127.0.0.1:${smtp.port}?ignoreTLS=true`, MAIL_FROM: 'kooperator@example.org' };
    await kooperator(['import', file], env);
    // Nobody keeps quiet hours here (equal hours mean none), and anything already planned is due
    // now: otherwise, run between 20:00 and 07:00 Warsaw time, the invitations wait for the morning.
    const setup = await connect({ pgliteDir: dataDir });
    try {
      const people = await setup.db.selectFrom('people').select('id').execute();
      await setup.db.insertInto('preferences').values(people.map((p) => ({ person_id: p.id, muted_kinds: '[]', muted_channels: '[]', quiet_from: 0, quiet_to: 0 }))).onConflict((oc) => oc.column('person_id').doUpdateSet({ quiet_from: 0, quiet_to: 0 })).execute();
      await setup.db.updateTable('deliveries').set({ due_at: new Date(), next_attempt_at: new Date() }).where('state', '=', 'pending').execute();
    } finally {
      await setup.close();
    }

    service = runKooperator(['serve'], env);
    await until(() => smtp!.started() > 0, 90_000, 'the first invitation reaches the mail server');
    const stopping = Date.now();
    service.child.kill('SIGTERM');
    const { code, at } = await service.exited;
    expect(at - stopping, service.output().slice(-2000)).toBeLessThan(5_000);
    expect(code).toBe(0);
    // What was claimed and not sent went back to the outbox, for the next start to send at once.
    const db = await connect({ pgliteDir: dataDir });
    try {
      const states = await db.db.selectFrom('deliveries').select(['state', db.db.fn.countAll<number>().as('n')]).where('kind', 'like', 'invitation%').groupBy('state').execute();
      expect(states.find((r) => (r.state as string) === 'sending')).toBeUndefined();
      expect(states.reduce((sum, r) => sum + Number(r.n), 0)).toBe(500);
    } finally {
      await db.close();
    }
  });
});
