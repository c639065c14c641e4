import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { currentDataVersion } from '../../src/db/data-version-watch.js';
import { planInvitations } from '../../src/invitations/plan-invitations.js';
import { sweepOffers } from '../../src/invitations/rsvp.js';
import { demoDatabase } from '../support/databases.js';

/**
 * Review: the watch marks only Kysely-built INSERT/UPDATE/DELETE of shown tables
 * (data-version-watch.ts writesShownTable). lapseOffers (seat-offers.ts) lapses offers with raw
 * `sql`, so after the sweep commits a lapse, this process still reports the version it had (its
 * kept answers, e.g. the workshop view's "seat held until", are served as before) until the
 * NOTIFY of its own commit comes back.
 */
describe.skipIf(!process.env.TEST_DATABASE_URL)('the data version after a sweep lapses an offer, on postgres', () => {
  let db: Db;
  const clock = new FixedClock('2027-01-04T08:00:00Z');
  beforeAll(async () => {
    db = await demoDatabase('postgres', clock);
    await planInvitations(db.db, clock);
  }, 120_000);
  afterAll(async () => db?.close());

  it('should report a new version right after the sweep committed a lapse', async () => {
    const invitation = await db.db.selectFrom('invitations').select(['activity_id', 'person_id']).executeTakeFirstOrThrow();
    await sql`update invitations set offer_expires_at = ${new Date('2027-01-04T07:00:00Z')} where activity_id = ${invitation.activity_id} and person_id = ${invitation.person_id}`.execute(db.db);
    // Let the watch hear of that setup change first.
    let before = await currentDataVersion(db.db);
    for (let i = 0; i < 50; i++) {
      await new Promise((r) => setTimeout(r, 30));
      before = await currentDataVersion(db.db);
    }
    expect(await sweepOffers(db.db, clock)).toBe(1);
    expect(await currentDataVersion(db.db)).toBeGreaterThan(before);
  });
});
