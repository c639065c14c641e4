import { existsSync, mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import type { Db } from '../../src/db/db.port.js';
import { enqueue } from '../../src/delivery/outbox.js';
import { createLogger } from '../../src/log.js';
import { purgeExpired, purgeOldFiles, RetentionJob } from '../../src/privacy/retention.js';
import { dialects, demoDatabase } from '../support/databases.js';

const clock = new FixedClock('2028-03-15T12:00:00Z');

describe.each(dialects)('retention on %s', (kind) => {
  let db: Db;
  beforeEach(async () => {
    db = await demoDatabase(kind, clock);
    const anna = (await db.db.selectFrom('people').select('id').where('email', '=', 'anna.nowak@example.org').executeTakeFirstOrThrow()).id;
    const at = (iso: string) => new Date(iso);
    const delivery = (key: string, due: string) => ({ key, kind: 'reminder', personId: anna, channels: ['email' as const], payload: { language: 'pl' as const, title: key, text: 'x' }, dueAt: at(due) });
    await enqueue(db.db, [delivery('old-sent', '2027-01-10T08:00:00Z'), delivery('old-pending', '2027-01-10T08:00:00Z'), delivery('new-sent', '2028-01-10T08:00:00Z')]);
    await db.db.updateTable('deliveries').set({ state: 'sent', updated_at: at('2027-01-10T08:00:00Z') }).where('dedupe_key', '=', 'old-sent').execute();
    await db.db.updateTable('deliveries').set({ updated_at: at('2027-01-10T08:00:00Z') }).where('dedupe_key', '=', 'old-pending').execute();
    await db.db.updateTable('deliveries').set({ state: 'sent', updated_at: at('2028-01-10T08:00:00Z') }).where('dedupe_key', '=', 'new-sent').execute();
    // An address that last bounced before the period, and one that bounced within it.
    const marta = (await db.db.selectFrom('people').select('id').where('email', '=', 'marta.grabowska@example.org').executeTakeFirstOrThrow()).id;
    await db.db
      .insertInto('mail_bounces')
      .values([
        { person_id: anna, address: 'anna.nowak@example.org', status: '5.1.1', diagnostic: null, delivery_id: null, first_bounce_at: at('2027-01-10T08:00:00Z'), last_bounce_at: at('2027-01-10T08:00:00Z') },
        { person_id: marta, address: 'marta.grabowska@example.org', status: '5.1.1', diagnostic: null, delivery_id: null, first_bounce_at: at('2027-01-10T08:00:00Z'), last_bounce_at: at('2028-02-10T08:00:00Z') },
      ])
      .execute();
    await db.db.insertInto('processed_events').values([{ key: 'slack:old', created_at: at('2027-02-01T00:00:00Z') }, { key: 'slack:new', created_at: at('2028-03-01T00:00:00Z') }]).execute();
    await db.db
      .insertInto('schedule_changes')
      .values([
        { kind: 'meeting_cancelled', team_id: 'lodz', details: '{}', created_at: at('2027-01-01T00:00:00Z'), notified_at: at('2027-01-01T00:00:00Z') },
        { kind: 'meeting_cancelled', team_id: 'lodz', details: '{}', created_at: at('2027-01-01T00:00:00Z'), notified_at: null },
      ])
      .execute();
    // Registration answers: one to a workshop that ended more than the period ago (3 Dec 2026 → gone), one to a later one (kept).
    for (const activity of ['edukacja-rodo-2026-12', 'konferencja-regionalna-2027']) {
      await db.db.insertInto('activity_questions').values({ activity_id: activity, question_id: 'dieta', position: 0, kind: 'text', label: 'Dieta', label_en: null, required: false }).execute();
      await db.db.insertInto('registration_answers').values({ activity_id: activity, question_id: 'dieta', person_id: anna, value: 'wegetariańska', answered_at: at('2026-11-01T00:00:00Z') }).execute();
    }
    // Answers before meetings and absence periods: one of each long over, one recent.
    await db.db
      .insertInto('absence_periods')
      .values([
        { person_id: anna, starts_on: '2026-12-20', ends_on: '2026-12-31', created_at: at('2026-12-01T00:00:00Z') },
        { person_id: anna, starts_on: '2027-12-20', ends_on: '2028-03-01', created_at: at('2027-12-01T00:00:00Z') },
      ])
      .execute();
    await db.db
      .insertInto('meeting_answers')
      .values([
        { team_id: 'lodz', occurrence_date: '2026-12-08', person_id: anna, answer: 'attending', source: 'chat', answered_at: at('2026-12-01T00:00:00Z') },
        { team_id: 'lodz', occurrence_date: '2027-12-14', person_id: anna, answer: 'attending', source: 'chat', answered_at: at('2027-12-01T00:00:00Z') },
      ])
      .execute();
    // Membership history: a stretch that ended long ago (gone), one that ended recently (kept); the open ones of the import stay.
    await db.db
      .insertInto('membership_periods')
      .values([
        { team_id: 'lodz', person_id: anna, started_at: at('2026-01-01T00:00:00Z'), ended_at: at('2026-12-08T00:00:00Z') },
        { team_id: 'lodz', person_id: anna, started_at: at('2027-01-01T00:00:00Z'), ended_at: at('2027-12-14T00:00:00Z') },
      ])
      .execute();
    await db.db
      .insertInto('inbound_mails')
      .values(['2027-01-10T08:00:00Z', '2028-01-10T08:00:00Z'].map((received, i) => ({ message_key: `m${i}@example.org`, transport: 'imap' as const, classified_as: 'plain_reply', person_id: anna, outcome: 'recorded:rsvp:accepted', received_at: at(received) })))
      .execute();
  });
  afterEach(async () => db?.close());

  const keys = async () => (await db.db.selectFrom('deliveries').select('dedupe_key').orderBy('dedupe_key').execute()).map((r) => r.dedupe_key);

  it('should purge finished deliveries, event keys and told changes older than the period, and nothing still to do', async () => {
    expect(await purgeExpired(db.db, clock, 12)).toEqual({ deliveries: 1, processed_events: 1, mail_bounces: 1, registration_answers: 1, schedule_changes: 1, meeting_answers: 1, membership_periods: 1, absence_periods: 1, attendance: 0, checkin_failures: 0, attendance_changes: 0, inbound_mails: 1 });
    expect((await db.db.selectFrom('mail_bounces').select('address').execute()).map((r) => r.address)).toEqual(['marta.grabowska@example.org']);
    expect(await db.db.selectFrom('registration_answers').select('activity_id').execute()).toEqual([{ activity_id: 'konferencja-regionalna-2027' }]);
    expect(await db.db.selectFrom('meeting_answers').select('occurrence_date').execute()).toEqual([{ occurrence_date: '2027-12-14' }]);
    expect(await db.db.selectFrom('absence_periods').select('ends_on').execute()).toEqual([{ ends_on: '2028-03-01' }]);
    expect(await db.db.selectFrom('membership_periods').select('ended_at').where('ended_at', 'is not', null).execute()).toEqual([{ ended_at: new Date('2027-12-14T00:00:00Z') }]);
    expect(await keys()).toEqual(['new-sent', 'old-pending']);
    expect((await db.db.selectFrom('processed_events').select('key').execute()).map((r) => r.key)).toEqual(['slack:new']);
    expect(await db.db.selectFrom('schedule_changes').select('notified_at').execute()).toEqual([{ notified_at: null }]);
    expect(await purgeExpired(db.db, clock, 12)).toEqual({ deliveries: 0, processed_events: 0, mail_bounces: 0, registration_answers: 0, schedule_changes: 0, meeting_answers: 0, membership_periods: 0, absence_periods: 0, attendance: 0, checkin_failures: 0, attendance_changes: 0, inbound_mails: 0 });
  });

  it('should honour a shorter period', async () => {
    await purgeExpired(db.db, clock, 1);
    expect(await keys()).toEqual(['old-pending']);
  });

  it('should purge at start as the daily job, with the configured period', async () => {
    const months = loadConfig({ DATA_DIR: '/tmp/koop-retention-config', RETENTION_MONTHS: '24' }).retentionMonths;
    expect(months).toBe(24);
    const outbox = mkdtempSync(join(tmpdir(), 'koop-outbox-'));
    const mail = (name: string, written: string) => {
      writeFileSync(join(outbox, name), 'To: anna.nowak@example.org\r\n\r\nx');
      utimesSync(join(outbox, name), new Date(written), new Date(written));
    };
    mail('old.eml', '2027-01-10T08:00:00Z');
    mail('new.eml', '2028-03-01T08:00:00Z');
    const job = new RetentionJob({ db: db.db, clock, log: createLogger('silent'), months: 12, folders: [outbox] });
    await job.start();
    job.stop();
    expect(await keys()).toEqual(['new-sent', 'old-pending']);
    expect([existsSync(join(outbox, 'old.eml')), existsSync(join(outbox, 'new.eml'))]).toEqual([false, true]);
  });
});

describe('retention of files', () => {
  it('should remove only files older than the cut-off, leave folders, and count nothing for a missing folder', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'koop-files-'));
    writeFileSync(join(folder, 'a.eml'), 'a');
    utimesSync(join(folder, 'a.eml'), new Date('2020-01-01T00:00:00Z'), new Date('2020-01-01T00:00:00Z'));
    writeFileSync(join(folder, 'b.eml'), 'b');
    mkdirSync(join(folder, 'sub'));
    utimesSync(join(folder, 'sub'), new Date('2020-01-01T00:00:00Z'), new Date('2020-01-01T00:00:00Z'));
    expect(await purgeOldFiles(folder, new Date('2021-01-01T00:00:00Z'))).toBe(1);
    expect([existsSync(join(folder, 'a.eml')), existsSync(join(folder, 'b.eml')), existsSync(join(folder, 'sub'))]).toEqual([false, true, true]);
    expect(await purgeOldFiles(join(folder, 'none'), new Date())).toBe(0);
  });
});
