import { mkdtempSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { replyAddress } from '../../src/inbound/reply-address.js';
import { createLogger } from '../../src/log.js';
import { startService, type RunningService } from '../../src/main.js';
import { until } from '../adapters/email-inbound/support.js';
import { itipMail } from './mails.js';

// Hostile review of feb992d (an answer through its link plans that pair alone, DeliveryService.answered).
// An "Accept" pressed in Outlook (an iTIP REPLY to the invitation's signed reply address) records the
// same answer as the link, but the service only wakes the dispatcher after it (main.ts, the inbound
// sink's onChanged): nothing plans the person's reminders but the 15-minute sweep. Before feb992d every
// link answer ran a whole planning, which in busy weeks planned the calendar answers of the minutes
// before as well; now nothing does. Accepted ten minutes before the day-before reminder's time, the
// sweep comes after that time, finds it past (plannedTimingRule) and the person is never reminded,
// while the same answer through the link gets the reminder.

const SECRET = 'c'.repeat(40);
const MAIL_FROM = '"Kooperator RCPS" <kooperator@example.org>';
const ACTIVITY = 'szkolenie-niebieska-karta-2027-01'; // 20 January 2027 09:00 Warsaw (08:00Z); P1D meant 19 January 09:00

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });

describe('an invitation accepted from the calendar (iTIP REPLY), in the running service', () => {
  let service: RunningService;
  let smtpPort: number;
  const clock = new FixedClock('2026-12-20T12:00:00Z');
  beforeAll(async () => {
    smtpPort = await freePort();
    const config = loadConfig({
      DATA_DIR: mkdtempSync(join(tmpdir(), 'koop-itip-plan-')),
      PORT: '0',
      PUBLIC_URL: 'https://koop.example.org',
      APP_SECRET: SECRET,
      LOG_LEVEL: 'silent',
      MAIL_FROM,
      INBOUND_SMTP_PORT: String(smtpPort),
    });
    service = await startService(config, createLogger('silent'), clock);
  }, 120_000);
  afterAll(async () => service?.stop());

  it('plans the day-before reminder of someone who accepts ten minutes before its time', async () => {
    const db = service.db.db;
    // Answers open until the start (no RSVP deadline), so people may accept the day before.
    await db.updateTable('activities').set({ rsvp_by: null }).where('id', '=', ACTIVITY).execute();
    const activity = await db.selectFrom('activities').select(['title']).where('id', '=', ACTIVITY).executeTakeFirstOrThrow();
    const invite = await db
      .selectFrom('deliveries')
      .innerJoin('people', 'people.id', 'deliveries.person_id')
      .select(['deliveries.id', 'people.id as person_id', 'people.email'])
      .where('deliveries.dedupe_key', 'like', `invite:${ACTIVITY}:%`)
      .orderBy('people.id')
      .executeTakeFirstOrThrow();
    const to = replyAddress(SECRET, 'kooperator@example.org', { deliveryId: Number(invite.id), personId: Number(invite.person_id) });

    // 08:50 Warsaw the day before: the person presses "Accept" in Outlook.
    clock.set(new Date('2027-01-19T07:50:00Z'));
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort, secure: false, ignoreTLS: true });
    const raw = itipMail({ client: 'outlook', from: invite.email!, to, partstat: 'ACCEPTED', uid: `activity-${ACTIVITY}@kooperator`, title: activity.title });
    await transport.sendMail({ envelope: { from: invite.email!, to: [to] }, raw });
    transport.close();
    const answer = async () => (await db.selectFrom('rsvps').select('answer').where('activity_id', '=', ACTIVITY).where('person_id', '=', invite.person_id).executeTakeFirst())?.answer;
    await until(async () => (await answer()) === 'accepted', 15_000, 'the calendar answer recorded');
    // Planned in the background after the answer, as a link's is: looked for over a few seconds.
    const key = `activity-reminder:${ACTIVITY}:${invite.person_id}:P1D:2027-01-20T08:00:00.000Z`;
    const planned = async () => !!(await db.selectFrom('deliveries').select('id').where('dedupe_key', '=', key).executeTakeFirst());
    for (let i = 0; i < 100 && !(await planned()); i++) await new Promise((r) => setTimeout(r, 30));

    // 09:05: the 15-minute sweep; the reminder's time (09:00) has passed.
    clock.set(new Date('2027-01-19T08:05:00Z'));
    await service.delivery.planInvitations();
    expect(await planned()).toBe(true);
  }, 120_000);
});
