import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { afterAll, describe, expect, it } from 'vitest';
import { startSmtp, type FakeSmtp } from '../adapters/email/support.js';
import { aMember, aTeam, scheduleYaml } from '../schedule/support/schedule-builder.js';
import { kooperator, runKooperator, until, type ServiceProcess } from './service-process.js';

const MEMBERS = 300;

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

describe('the service killed (SIGKILL) in the middle of a burst of reminders and started again at once', () => {
  const running: ServiceProcess[] = [];
  let smtp: FakeSmtp | undefined;
  afterAll(async () => {
    for (const s of running) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
    await smtp?.close();
  });

  it(`should get every one of ${MEMBERS} members their reminder before the meeting, with at most the sends in flight duplicated`, { timeout: 600_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'koop-crash-'));
    // Minutes away, in the team's zone: the reminders fall due about two minutes from now, once
    // the import is done and the service runs (each takes up to a minute on a busy machine).
    const meeting = DateTime.now().setZone('Europe/Warsaw').plus({ minutes: 7 }).startOf('minute');
    writeFileSync(join(dataDir, 'pilny.yaml'), teamMeetingAt(meeting, 'PT5M'));
    smtp = await startSmtp();
    const env = { DATA_DIR: dataDir, PORT: '0', SMTP_URL: `smtp://127.0.0.1:${smtp.port}?ignoreTLS=true`, MAIL_FROM: 'kooperator@example.org' };
    await kooperator(['import', join(dataDir, 'pilny.yaml')], env);

    const first = runKooperator(['serve'], env);
    running.push(first);
    await until(() => smtp!.mails.length >= 40, 300_000, 'the burst begins');
    first.child.kill('SIGKILL');
    await first.exited;
    const atKill = smtp.mails.length;

    const second = runKooperator(['serve'], env);
    running.push(second);
    const everyone = () => new Set(smtp!.mails.map((m) => m.to && 'value' in m.to ? m.to.value[0]?.address : undefined)).size >= MEMBERS;
    await until(everyone, Math.max(1, meeting.toMillis() - Date.now()), 'every member reminded before the meeting').catch((error: Error) => {
      throw new Error(`${error.message} (${smtp!.mails.length} mails, ${atKill} at the kill); the restarted service said:\n${second.output().slice(-3000)}`);
    });

    const perMember = new Map<string, number>();
    for (const mail of smtp.mails) {
      const to = mail.to && 'value' in mail.to ? mail.to.value[0]!.address! : '?';
      perMember.set(to, (perMember.get(to) ?? 0) + 1);
    }
    const duplicated = [...perMember.values()].filter((n) => n > 1).length;
    console.log(`crash test: ${atKill} mails before the kill, ${smtp.mails.length} in all, ${duplicated} members got theirs twice`);
    expect(perMember.size).toBe(MEMBERS);
    expect(Math.max(...perMember.values())).toBeLessThanOrEqual(2);
    // At most what the killed process had in hand: one batch (100 rows) at most.
    expect(duplicated).toBeLessThanOrEqual(100);
  });
});
