import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { enqueue } from '../../src/delivery/outbox.js';
import { linkPlace, requeueUnlinked } from '../../src/delivery/places.js';
import { createLogger } from '../../src/log.js';
import type { ChannelSender, Message, PlaceLink } from '../../src/ports/channel.port.js';
import { demoDatabase, dialects } from '../support/databases.js';

const CHANNEL = '19:lowicz-ogloszenia@thread.tacv2';
const place: PlaceLink = { channel: 'teams', externalId: CHANNEL, address: JSON.stringify({ channelId: 'msteams', serviceUrl: 'https://smba.example', conversation: { id: CHANNEL } }) };

describe.each(dialects)('a Teams channel learned while a message to it is being sent, on %s', (kind) => {
  let db: Db;
  const clock = new FixedClock('2027-01-04T08:00:00Z');
  beforeEach(async () => (db = await demoDatabase(kind, clock)));
  afterEach(async () => db?.close());

  it('should put that message back and send it once the place is known', async () => {
    const payload: Message = { language: 'pl', title: 'Ogłoszenie', text: 'Zmiana sali' };
    await enqueue(db.db, [{ key: 'a1', kind: 'announcement', place: { address: CHANNEL, language: 'pl' }, teamId: 'lowicz', channels: ['teams'], payload, dueAt: clock.now() }]);
    const sent: string[] = [];
    const teams: ChannelSender = { kind: 'teams', send: async (address) => (sent.push(address), { ok: true }) };
    let learned = false;
    const dispatcher = new Dispatcher({
      db: db.db, clock, log: createLogger('silent'), workerId: 'w1', random: () => 0.5, senders: new Map([['teams', teams]]),
      // The bot is added to the team while this batch runs (what Bot.linkPlace does).
      render: async (row) => {
        if (!learned && (learned = true) && (await linkPlace(db.db, place))) await requeueUnlinked(db.db, place, clock.now());
        return row.payload as Message;
      },
    });
    await dispatcher.drain();
    await dispatcher.drain();
    expect(sent).toEqual([place.address]);
    expect(await db.db.selectFrom('deliveries').select('state').executeTakeFirstOrThrow()).toEqual({ state: 'sent' });
  });
});
