import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeMail } from '../../adapters/email/compose.js';
import { renderMessage } from '../../adapters/slack/render-blocks.js';
import { renderCard } from '../../adapters/teams/render-card.js';
import { renderText } from '../../adapters/console/render-text.js';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import type { DeliveryRow } from '../../src/db/tables.js';
import { renderDigest } from '../../src/reports/digest.js';
import { dialects, demoDatabase } from '../support/databases.js';

/**
 * Hostile: a digest is now one Message shared by every RCPS person of a batch. No adapter may
 * change it while fitting it to its platform (Slack's 50 blocks, Teams' 26 kB card): the second
 * person would get the first one's cut. A digest of many teams, so that every adapter has to cut.
 */
describe.each(dialects)('one digest Message through every adapter on %s', (kind) => {
  let db: Db;
  const clock = new FixedClock('2027-03-10T12:00:00Z');
  beforeAll(async () => {
    db = await demoDatabase(kind, clock);
    const base = await db.db.selectFrom('teams').selectAll().where('id', '=', 'lodz').executeTakeFirstOrThrow();
    const series = await db.db.selectFrom('meeting_series').selectAll().where('team_id', '=', 'lodz').executeTakeFirstOrThrow();
    for (let i = 0; i < 120; i++) {
      const id = `hostile-${String(i).padStart(3, '0')}`;
      await db.db.insertInto('teams').values({ ...base, id, name: `PZK Zespół ${i} ${'ą'.repeat(40)}`, report_code: `H${i}`, slack_channel: null, teams_channel: null }).execute();
      await db.db.insertInto('meeting_series').values({ ...series, team_id: id, reminders: JSON.stringify(series.reminders) as never }).execute();
    }
  }, 120_000);
  afterAll(async () => db?.close());

  it('should leave the shared Message as it was, and give the same output to the next person', async () => {
    const message = await renderDigest(db.db, {} as DeliveryRow, { type: 'digest', week: '2027-03-15' }, 'pl');
    expect(message.items!.length).toBeGreaterThan(100);
    const copy = structuredClone(message);
    const outputs = () => [JSON.stringify(renderMessage(message)), JSON.stringify(renderCard(message)), JSON.stringify(composeMail('a@example.org', { ...message, preferencesUrl: 'https://x/p/1' })), renderText(message)];
    const first = outputs();
    expect(message).toEqual(copy);
    expect(outputs()).toEqual(first);
    expect(message).toEqual(copy);
  });
});
