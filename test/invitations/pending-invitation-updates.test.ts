import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IcalGeneratorRenderer } from '../../adapters/ical/ical-renderer.js';
import { FixedClock } from '../../src/clock.js';
import type { Db, DedicatedSession } from '../../src/db/db.port.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { deliveryRenderer } from '../../src/delivery/render-delivery.js';
import { parseMailbox } from '../../src/invitations/invitation-message.js';
import { planInvitations, type InvitationRef } from '../../src/invitations/plan-invitations.js';
import { createLogger } from '../../src/log.js';
import type { ChannelSender, Message } from '../../src/ports/channel.port.js';
import { dialects, freshDatabase } from '../support/databases.js';
import { everyone, importFixture, WORKSHOP } from './support.js';

const SECRET = 's'.repeat(40);
const log = createLogger('silent');
const TITLE = 'Warsztaty kooperacyjne (wyjazdowe)';

/**
 * An activity changed while its first invitations still wait in the outbox (a conference for
 * thousands, a typo fixed minutes later): the waiting invitation is brought up to date, not
 * followed by an update that, time-bound, would overtake it ("Zmiana" before "Zaproszenie").
 * A cancelled activity's unsent invitation is cancelled and nobody hears of it. A row being
 * sent at that moment (claimed) is left alone and the update is planned as before.
 */
describe.each(dialects)('an activity changed while its invitations wait, on %s', (kind) => {
  let db: Db;
  const clock = new FixedClock('2027-02-01T09:00:00Z');
  const sessions: DedicatedSession[] = [];
  /** What each address received, in order. */
  const received = new Map<string, Message[]>();
  const sender: ChannelSender = {
    kind: 'email',
    send: async (address: string, m: Message) => {
      received.set(address, [...(received.get(address) ?? []), m]);
      return { ok: true };
    },
  };
  const dispatcher = () =>
    new Dispatcher({
      db: db.db,
      clock,
      log,
      workerId: 'test',
      batchSize: 100,
      senders: new Map([['email', sender]]),
      render: deliveryRenderer(db.db, 'https://koop.example.org', SECRET, {
        appSecret: SECRET,
        calendar: new IcalGeneratorRenderer('Europe/Warsaw'),
        organizer: parseMailbox('"RCPS" <rcps@example.org>'),
      }),
      // Real claims: on PostgreSQL an advisory lock on a session of its own, on PGlite on its one session.
      ...(db.openSession ? { openSession: async () => { const s = await db.openSession!(); sessions.push(s); return s; } } : {}),
    });
  const sendAll = async () => {
    const d = dispatcher();
    await d.drain();
    await d.stop({ deadlineMs: 200 });
  };
  const sequence = async () => (await db.db.selectFrom('activities').select('sequence').where('id', '=', WORKSHOP).executeTakeFirstOrThrow()).sequence;
  const redescribe = () =>
    db.db.updateTable('activities').set((eb) => ({ sequence: eb('sequence', '+', 1), description: 'Dwa dni warsztatów o współpracy. Zbiórka o 8:30 przy recepcji.', updated_at: clock.now() })).where('id', '=', WORKSHOP).execute();
  const cancel = () =>
    db.db.updateTable('activities').set((eb) => ({ sequence: eb('sequence', '+', 1), cancelled_at: clock.now(), updated_at: clock.now() })).where('id', '=', WORKSHOP).execute();
  /** The workshop's invitation rows: state, the kind of message (update '0' or '1') and the sequence, in its payload and in its key. */
  const rows = async () => {
    const all = await db.db.selectFrom('deliveries').select(['id', 'state', 'dedupe_key', 'payload', 'person_id']).where('kind', '=', 'invitation').where('dedupe_key', 'like', `invite:${WORKSHOP}:%`).orderBy('id').execute();
    return all.map((r) => {
      const ref = r.payload as InvitationRef;
      expect(r.dedupe_key).toBe(`invite:${WORKSHOP}:${r.person_id}:${ref.sequence}`);
      return { state: r.state, update: ref.update, sequence: Number(ref.sequence), person: r.person_id };
    });
  };
  const tally = (list: { state: string; update: string; sequence: number }[]) => {
    const out: Record<string, number> = {};
    for (const r of list) out[`${r.state} ${r.update} ${r.sequence}`] = (out[`${r.state} ${r.update} ${r.sequence}`] ?? 0) + 1;
    return out;
  };
  const aboutWorkshop = (address: string) => (received.get(address) ?? []).filter((m) => m.title.includes(TITLE));

  beforeEach(async () => {
    clock.set('2027-02-01T09:00:00Z');
    received.clear();
    db = await freshDatabase(kind);
    await importFixture(db.db, clock);
    // Everyone by e-mail: one sender sees every message.
    await db.db.updateTable('people').set({ channels: JSON.stringify(['email']) }).execute();
    expect(await planInvitations(db.db, clock)).toEqual({ invited: 40, updated: 0 });
  });
  afterEach(async () => {
    await Promise.all(sessions.splice(0).map((s) => s.close()));
    await db?.close();
  });

  it('should bring a waiting first invitation up to date instead of planning an update, so each person gets one invitation with the new details', async () => {
    const first = await sequence();
    clock.advance(5 * 60_000);
    await redescribe();
    expect(await planInvitations(db.db, clock)).toEqual({ invited: 0, updated: 30 });
    expect(tally(await rows())).toEqual({ [`pending 0 ${first + 1}`]: 30 });
    expect(await planInvitations(db.db, clock)).toEqual({ invited: 0, updated: 0 });

    await sendAll();
    for (const email of everyone) {
      const got = aboutWorkshop(email);
      expect(got, email).toHaveLength(1);
      expect(got[0]!.title).toMatch(/^(Zaproszenie|Invitation): /);
      expect(got[0]!.text).toContain('Zbiórka o 8:30 przy recepcji.');
      expect(got[0]!.calendar?.content).toContain(`SEQUENCE:${first + 1}`);
    }
    expect(tally(await rows())).toEqual({ [`sent 0 ${first + 1}`]: 30 });
  });

  it('should cancel a waiting first invitation of a cancelled activity and tell nobody, who never heard of it', async () => {
    const first = await sequence();
    clock.advance(5 * 60_000);
    await cancel();
    expect(await planInvitations(db.db, clock)).toEqual({ invited: 0, updated: 30 });
    const after = await rows();
    expect(tally(after)).toEqual({ [`cancelled 0 ${first}`]: 30 });
    const why = await db.db.selectFrom('deliveries').select('last_error').where('dedupe_key', 'like', `invite:${WORKSHOP}:%`).distinct().execute();
    expect(why.map((r) => r.last_error)).toEqual(['the activity was cancelled before its invitation was sent']);

    await sendAll();
    for (const email of everyone) expect(aboutWorkshop(email), email).toEqual([]);
    // The training's invitations (10 in Łódź) went as ever.
    expect([...received.values()].flat()).toHaveLength(10);
  });

  it('should plan an update for someone whose invitation was sent, and bring a waiting update up to date', async () => {
    const first = await sequence();
    await sendAll();
    clock.advance(60 * 60_000);
    await redescribe();
    expect(await planInvitations(db.db, clock)).toEqual({ invited: 0, updated: 30 });
    expect(tally(await rows())).toEqual({ [`sent 0 ${first}`]: 30, [`pending 1 ${first + 1}`]: 30 });
    // Changed again before the update went: still one update each, with the newest sequence.
    clock.advance(60_000);
    await redescribe();
    expect(await planInvitations(db.db, clock)).toEqual({ invited: 0, updated: 30 });
    expect(tally(await rows())).toEqual({ [`sent 0 ${first}`]: 30, [`pending 1 ${first + 2}`]: 30 });

    await sendAll();
    for (const email of everyone) {
      const got = aboutWorkshop(email);
      expect(got.map((m) => m.title.split(':')[0]), email).toEqual(expect.arrayContaining([expect.stringMatching(/^(Zaproszenie|Invitation)$/), expect.stringMatching(/^(Zmiana|Changed)$/)]));
      expect(got).toHaveLength(2);
      expect(got[1]!.calendar?.content).toContain(`SEQUENCE:${first + 2}`);
    }
  });

  it('should leave alone an invitation being sent at that moment and plan the update as before', async () => {
    const first = await sequence();
    const holder = dispatcher();
    const held = await holder.claims.claim({ now: clock.now(), batchSize: 100, lane: 'email' });
    expect(held.rows).toHaveLength(40);
    await redescribe();
    expect(await planInvitations(db.db, clock)).toEqual({ invited: 0, updated: 30 });
    expect(tally(await rows())).toEqual({ [`pending 0 ${first}`]: 30, [`pending 1 ${first + 1}`]: 30 });
    await holder.stop({ deadlineMs: 200 });
  });
});
