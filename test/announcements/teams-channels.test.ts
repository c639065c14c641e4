import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { enqueue } from '../../src/delivery/outbox.js';
import { PLACE_NOT_LINKED } from '../../src/delivery/places.js';
import { deliveryRenderer } from '../../src/delivery/render-delivery.js';
import { FakeConnector } from '../adapters/teams/fake-connector.js';
import { BOT, log, message, startHarness, type Harness } from '../adapters/teams/harness.js';
import { dialects } from '../support/databases.js';

const jan = { id: '29:jan', aadObjectId: 'aad-jan', email: 'jan.kowalski@example.org', name: 'Jan Kowalski' };
const marta = { id: '29:marta', aadObjectId: 'aad-marta', email: 'marta.grabowska@example.org', name: 'Marta Grabowska' };
const barbara = { id: '29:barbara', aadObjectId: 'aad-barbara', email: 'barbara.kowalczyk@example.org', name: 'Barbara Kowalczyk' };
const anna = { id: '29:anna', aadObjectId: 'aad-anna', email: 'anna.nowak@example.org', name: 'Anna Nowak' };
type Person = typeof jan;

// A team's id is also its General channel's id.
const LODZ_TEAM = '19:lodz-team-0001@thread.tacv2';
const LODZ_CHANNEL = '19:lodz-ogloszenia-0002@thread.tacv2';
const RCPS_TEAM = '19:rcps-team-0003@thread.tacv2';
const RCPS_CHANNEL = '19:rcps-zgloszenia-0004@thread.tacv2';
const LOWICZ_CHANNEL = '19:lowicz-ogloszenia-0005@thread.skype';
const LOWICZ_TEAM = '19:lowicz-team-0006@thread.skype';

let sequence = 0;

/** An activity in a channel of a Teams team, as Bot Framework posts it. */
function inChannel(connector: FakeConnector, person: Person, team: string, channel: string, fields: Record<string, unknown>) {
  const id = `ch-${++sequence}`;
  return {
    type: 'message',
    id,
    channelId: 'msteams',
    serviceUrl: connector.url,
    timestamp: '2027-01-04T08:00:00.000Z',
    from: { id: person.id, aadObjectId: person.aadObjectId, name: person.name },
    recipient: BOT,
    conversation: { id: `${channel};messageid=${id}`, conversationType: 'channel', isGroup: true, tenantId: 'tenant-1' },
    channelData: { team: { id: team }, channel: { id: channel }, tenant: { id: 'tenant-1' } },
    ...fields,
  };
}

describe.each(dialects)('Announcements and problem reports in Teams channels on %s', (kind) => {
  let h: Harness;
  let dispatcher: Dispatcher;
  const db = () => h.db.db;
  const postsTo = (conversationId: string) => h.connector.activities().filter((c) => c.conversationId === conversationId);
  const say = async (person: Person, text: string) => {
    await h.post(message(h.connector, person, text));
    return FakeConnector.cardText(postsTo(`a:personal-${person.aadObjectId}`).at(-1)!);
  };

  beforeAll(async () => {
    h = await startHarness(kind);
    for (const p of [jan, marta, barbara]) h.connector.members.set(p.id, p);
    h.connector.teamChannels.set(LODZ_TEAM, [{ id: LODZ_TEAM, name: 'General' }, { id: LODZ_CHANNEL, name: 'Ogłoszenia' }]);
    // As a schedule file with `teams_channel:` and `rcps_teams_channel:` leaves them (import: test/reports/schedule-keys.test.ts).
    await db().updateTable('teams').set({ teams_channel: LODZ_CHANNEL }).where('id', '=', 'lodz').execute();
    await db().updateTable('teams').set({ teams_channel: LOWICZ_CHANNEL }).where('id', '=', 'lowicz').execute();
    await db().insertInto('service_settings').values({ key: 'rcps_teams_channel', value: RCPS_CHANNEL }).execute();
    dispatcher = new Dispatcher({
      db: db(),
      senders: new Map([['teams', h.adapter.sender]]),
      clock: new FixedClock('2027-01-04T08:00:00Z'),
      log,
      workerId: 'w',
      render: deliveryRenderer(db(), 'https://koop.example.org', 'k'.repeat(40)),
    });
    for (const p of [jan, marta, barbara]) await say(p, 'pomoc');
  });
  afterAll(async () => h?.close());

  it("should learn every channel of a team the bot is added to, and post an announcement into the team's Teams channel", async () => {
    const install = inChannel(h.connector, anna, LODZ_TEAM, LODZ_TEAM, { type: 'conversationUpdate', membersAdded: [{ id: BOT.id }], channelData: { team: { id: LODZ_TEAM }, eventType: 'teamMemberAdded', tenant: { id: 'tenant-1' } } });
    expect((await h.post(install)).status).toBe(200);
    const learned = await db().selectFrom('place_channels').select(['channel', 'external_id', 'address']).orderBy('external_id').execute();
    expect(learned.map((p) => p.external_id).sort()).toEqual([LODZ_TEAM, LODZ_CHANNEL].sort());
    expect(JSON.parse(learned.find((p) => p.external_id === LODZ_CHANNEL)!.address)).toMatchObject({ serviceUrl: h.connector.url, conversation: { id: LODZ_CHANNEL, tenantId: 'tenant-1' }, bot: { id: BOT.id } });

    expect(await say(jan, 'ogłoszenie @lodz Zebranie w **sali 5** o 10:00')).toContain('Podgląd ogłoszenia');
    await say(jan, 'ogłoszenie potwierdź');
    await dispatcher.drain();
    const posted = postsTo(LODZ_CHANNEL);
    expect(posted).toHaveLength(1);
    expect(FakeConnector.cardText(posted[0]!)).toContain('Zebranie w **sali 5** o 10:00');
    const row = await db().selectFrom('deliveries').select(['state', 'sent_channel', 'provider_id']).where('place_address', '=', LODZ_CHANNEL).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ state: 'sent', sent_channel: 'teams' });
  });

  it('should post a new problem report into the RCPS Teams channel, learned from a message written there', async () => {
    const mention = { type: 'mention', mentioned: { id: BOT.id, name: BOT.name }, text: '<at>Kooperator</at>' };
    await h.post(inChannel(h.connector, jan, RCPS_TEAM, RCPS_CHANNEL, { text: '<at>Kooperator</at> pomoc', entities: [mention] }));
    expect(await db().selectFrom('place_channels').select('external_id').where('external_id', '=', RCPS_CHANNEL).execute()).toHaveLength(1);

    expect(await say(marta, 'problem kontrola Jutro kontrola z urzędu wojewódzkiego')).toContain('LDZ-2027-001');
    await dispatcher.drain();
    const posted = postsTo(RCPS_CHANNEL);
    expect(posted).toHaveLength(1);
    const card = FakeConnector.cardText(posted[0]!);
    expect(card).toContain('KONTROLA/AUDYT');
    expect(card).toContain('Nowe zgłoszenie LDZ-2027-001');
    expect(card).toContain('Jutro kontrola z urzędu wojewódzkiego');
  });

  it("should dead-letter an announcement to the Teams channel of a team the bot was never in, and tell the team's coordinator why", async () => {
    const before = h.connector.activities().length;
    await say(jan, 'ogłoszenie @lowicz Zmiana sali na 12');
    await say(jan, 'ogłoszenie potwierdź');
    await dispatcher.drain();
    expect(postsTo(LOWICZ_CHANNEL)).toEqual([]);
    // Only the answers to Jan in his own chat went out.
    expect(h.connector.activities().slice(before).every((c) => c.conversationId === `a:personal-${jan.aadObjectId}`)).toBe(true);
    const row = await db().selectFrom('deliveries').select(['state', 'last_error', 'team_id']).where('place_address', '=', LOWICZ_CHANNEL).executeTakeFirstOrThrow();
    expect(row).toEqual({ state: 'failed', last_error: `teams: ${PLACE_NOT_LINKED}`, team_id: 'lowicz' });

    const listed = await say(barbara, 'dostarczenia');
    expect(listed).toContain("Kanał zespołu PZK Łowicz – demo w Microsoft Teams");
    expect(listed).not.toContain(LOWICZ_CHANNEL);
    expect(listed).toContain('Kooperator nie był jeszcze w zespole Teams, do którego należy ten kanał');
  });

  it('should send that announcement once when the bot is added to the team, but not older or expired dead letters, and show the coordinator it was retried', async () => {
    // Two more dead letters to the same channel: due eight days ago, and for something that has begun.
    const now = Date.parse('2027-01-04T08:00:00Z');
    const old = (key: string, dueAt: number, expiresAt?: number) => ({
      key, kind: 'announcement', place: { address: LOWICZ_CHANNEL, language: 'pl' as const }, teamId: 'lowicz', channels: ['teams' as const],
      payload: { language: 'pl' as const, title: key, text: key }, dueAt: new Date(dueAt), ...(expiresAt ? { expiresAt: new Date(expiresAt) } : {}),
    });
    await enqueue(db(), [old('stale', now - 8 * 86_400_000), old('begun', now - 86_400_000, now - 3_600_000)]);
    await db().updateTable('deliveries').set({ state: 'failed', last_error: `teams: ${PLACE_NOT_LINKED}` }).where('dedupe_key', 'in', ['stale', 'begun']).execute();
    h.connector.teamChannels.set(LOWICZ_TEAM, [{ id: LOWICZ_TEAM, name: 'General' }, { id: LOWICZ_CHANNEL, name: 'Ogłoszenia' }]);
    const install = () =>
      inChannel(h.connector, anna, LOWICZ_TEAM, LOWICZ_TEAM, { type: 'conversationUpdate', membersAdded: [{ id: BOT.id }], channelData: { team: { id: LOWICZ_TEAM }, eventType: 'teamMemberAdded', tenant: { id: 'tenant-1' } } });

    expect((await h.post(install())).status).toBe(200);
    await dispatcher.drain();
    const posted = postsTo(LOWICZ_CHANNEL);
    expect(posted).toHaveLength(1);
    expect(FakeConnector.cardText(posted[0]!)).toContain('Zmiana sali na 12');
    const rows = await db().selectFrom('deliveries').select(['dedupe_key', 'state', 'requeued_at']).where('place_address', '=', LOWICZ_CHANNEL).orderBy('id').execute();
    expect(rows.map((r) => [r.dedupe_key.replace(/^announcement:\d+:/, ''), r.state, r.requeued_at?.toISOString()])).toEqual([
      ['place:lowicz:teams', 'sent', '2027-01-04T08:00:00.000Z'],
      ['stale', 'failed', undefined],
      ['begun', 'failed', undefined],
    ]);

    expect(await say(barbara, 'dostarczenia')).toContain('Wysłana ponownie w poniedziałek, 4 stycznia 2027, 09:00, gdy Kooperator poznał ten kanał; tym razem dotarła.');

    // Installed again, and even with the place forgotten and the retry failed again: nothing is sent twice.
    expect((await h.post(install())).status).toBe(200);
    await dispatcher.drain();
    await db().updateTable('deliveries').set({ state: 'failed', last_error: `teams: ${PLACE_NOT_LINKED}` }).where('place_address', '=', LOWICZ_CHANNEL).execute();
    await db().deleteFrom('place_channels').where('external_id', '=', LOWICZ_CHANNEL).execute();
    expect((await h.post(install())).status).toBe(200);
    await dispatcher.drain();
    expect(postsTo(LOWICZ_CHANNEL)).toHaveLength(1);

    const listed = await say(barbara, 'dostarczenia');
    expect(listed).toContain("Kanał zespołu PZK Łowicz – demo w Microsoft Teams");
    expect(listed).not.toContain(LOWICZ_CHANNEL);
    expect(listed).toContain('Wysłana ponownie w poniedziałek, 4 stycznia 2027, 09:00, gdy Kooperator poznał ten kanał, ale znów nie dotarła.');
  });
});
