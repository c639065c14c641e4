import { afterEach, describe, expect, it } from 'vitest';
import { enqueue } from '../../src/delivery/outbox.js';
import { PLACE_NOT_LINKED } from '../../src/delivery/places.js';
import { dialects } from '../support/databases.js';
import { InjectedFault } from '../support/faults.js';
import { openWorld, type World } from './world.js';

const CHANNEL = '19:a1b2c3d4e5f6@thread.tacv2';
const place = { channel: 'teams' as const, externalId: CHANNEL, address: '{"conversation":{"id":"19:a1b2c3d4e5f6@thread.tacv2"}}' };

describe.each(dialects)('a Teams channel learned while its dead letters could not be put back, on %s', (kind) => {
  let world: World | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  it('should put the dead letters back when the channel is seen again', async () => {
    const w = (world = await openWorld(kind));
    await enqueue(w.db.db, [
      { key: 'dead', kind: 'announcement', place: { address: CHANNEL, language: 'pl' }, teamId: 'lodz', channels: ['teams'], payload: { language: 'pl', title: 'Ogłoszenie', text: 'x' }, dueAt: w.clock.now() },
    ]);
    await w.db.db.updateTable('deliveries').set({ state: 'failed', last_error: `teams: ${PLACE_NOT_LINKED}` }).where('dedupe_key', '=', 'dead').execute();
    w.faults.failFirst(/update "deliveries"/);
    await expect(w.bot.linkPlace(place)).rejects.toBeInstanceOf(InjectedFault);
    // The next message in the channel tells the bot the same place again.
    await w.bot.linkPlace(place);
    const row = await w.db.db.selectFrom('deliveries').select(['state', 'requeued_at']).where('dedupe_key', '=', 'dead').executeTakeFirstOrThrow();
    expect(row.state).toBe('pending');
    expect(row.requeued_at).not.toBeNull();
  });
});
