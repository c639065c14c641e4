import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { rsvpUrl } from '../../src/invitations/invitation-message.js';
import { createLogger } from '../../src/log.js';
import { startService, type RunningService } from '../../src/main.js';

const SECRET = 's'.repeat(40);
const PUBLIC = 'https://koop.example.org';
const ACTIVITY = 'szkolenie-niebieska-karta-2027-01'; // 20 January 2027 09:00 Warsaw

/**
 * An answer through an invitation's link plans that person's reminders at once, and only theirs
 * (DeliveryService.answered): a whole planning per answer kept PostgreSQL's core busy for two
 * simulated days of the national week. Someone else accepted behind the service's back (a row
 * written directly) waits for the 15-minute sweep, which a whole planning would have done now.
 */
describe('an RSVP through its link, in the running service', () => {
  const config = loadConfig({ DATA_DIR: mkdtempSync(join(tmpdir(), 'koop-rsvp-plan-')), PORT: '0', PUBLIC_URL: PUBLIC, APP_SECRET: SECRET });
  let service: RunningService;
  beforeAll(async () => {
    service = await startService(config, createLogger('silent'), new FixedClock('2026-12-20T12:00:00Z'));
  }, 120_000);
  afterAll(async () => service?.stop());

  const reminders = async (personId: number) =>
    (await service.db.db.selectFrom('deliveries').select('dedupe_key').where('dedupe_key', 'like', `activity-reminder:${ACTIVITY}:${personId}:%`).orderBy('dedupe_key').execute()).map((r) => r.dedupe_key);

  it('should plan the answering person\'s activity reminders at once, and no one else\'s', async () => {
    const db = service.db.db;
    const activity = await db.selectFrom('activities').selectAll().where('id', '=', ACTIVITY).executeTakeFirstOrThrow();
    const [answering, behindTheBack] = (await db.selectFrom('invitations').select('person_id').where('activity_id', '=', ACTIVITY).orderBy('person_id').limit(2).execute()).map((r) => r.person_id);
    await db.insertInto('rsvps').values({ activity_id: ACTIVITY, person_id: behindTheBack!, answer: 'accepted', answered_at: new Date('2026-12-20T12:00:00Z') }).execute();

    const url = new URL(rsvpUrl(PUBLIC, SECRET, activity, answering!, 'accepted'));
    const response = await fetch(`${service.url}${url.pathname}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
    expect(response.status).toBe(200);
    // Planned in the background after the answer: looked for over a few seconds at most.
    for (let i = 0; i < 100 && (await reminders(answering!)).length < 2; i++) await new Promise((r) => setTimeout(r, 30));
    expect(await reminders(answering!)).toEqual([`activity-reminder:${ACTIVITY}:${answering}:P1D:2027-01-20T08:00:00.000Z`, `activity-reminder:${ACTIVITY}:${answering}:P7D:2027-01-20T08:00:00.000Z`]);
    await new Promise((r) => setTimeout(r, 200));
    expect(await reminders(behindTheBack!)).toEqual([]);
  });
});
