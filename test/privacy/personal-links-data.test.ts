import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { askConfirmation } from '../../src/me/confirmations.js';
import { personalPageUrl } from '../../src/me/me-link.js';
import { collectPersonalData, erasePersonalData } from '../../src/privacy/personal-data.js';
import { demoDatabase, dialects } from '../support/databases.js';

const SECRET = 'p'.repeat(40);
const PUBLIC = 'https://koop.example.org';

/** Review: personal_links (page links, confirmations) were neither in the RODO export nor erased. */
describe.each(dialects)('personal links in the RODO export and erasure on %s', (kind) => {
  const clock = new FixedClock('2027-01-04T08:00:00Z');
  let db: Db;
  let anna: number;
  let pageUrl: string;
  beforeEach(async () => {
    db = await demoDatabase(kind, clock);
    const person = await db.db.selectFrom('people').selectAll().where('email', '=', 'anna.nowak@example.org').executeTakeFirstOrThrow();
    anna = person.id;
    pageUrl = await personalPageUrl(db.db, PUBLIC, SECRET, anna, clock.now());
    await askConfirmation(db.db, SECRET, person, 'erase', clock.now());
  });
  afterEach(async () => db?.close());

  it('should export when each link was made and how it ended, without the token or its hash', async () => {
    const data = await collectPersonalData(db.db, anna, clock);
    const links = data.parts.personal_links as { purpose: string }[];
    expect(links.map((l) => l.purpose).sort()).toEqual(['confirm_erase', 'me']);
    const text = JSON.stringify(data);
    expect(text).not.toContain(pageUrl.split('/').pop()!);
    for (const hidden of ['token_hash', 'nonce']) expect(text).not.toContain(hidden);
  });

  it('should leave no link leading to a live person after erasure', async () => {
    expect(await erasePersonalData(db.db, anna, clock)).toBe(true);
    const live = await db.db
      .selectFrom('personal_links')
      .innerJoin('people', 'people.id', 'personal_links.person_id')
      .select('personal_links.id')
      .where('personal_links.person_id', '=', anna)
      .where('people.removed_at', 'is', null)
      .execute();
    expect(live).toEqual([]);
  });
});
