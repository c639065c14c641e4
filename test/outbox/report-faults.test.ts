import { describe, expect, it } from 'vitest';
import { dialects } from '../support/databases.js';
import { failEachWrite, sentCounts } from './each-write.js';
import type { World } from './world.js';

const REPORTER = 'katarzyna.wisniewska@example.org';
const TEAMMATE = 'piotr.kaminski@example.org';
const RCPS = 'jan.kowalski@example.org';
const ADMIN = 'elzbieta.pawlak@example.org';
const CODE = 'LDZ-2027-001';
/** Each write of a flow is failed in turn on one database: a few seconds per write on a busy machine. */
const LONG = 180_000;

const report = (w: World) => w.say(REPORTER, 'problem', 'pilny kontrola Brak sali na spotkanie w lutym');
const staffIds = async (w: World) => [await w.personId(RCPS), await w.personId(ADMIN)];
const events = (w: World, action: 'commented' | 'acknowledged' | 'resolved') => w.db.db.selectFrom('report_events').select('id').where('action', '=', action).execute();

describe.each(dialects)('report flows with each write failed in turn, then retried, on %s', (kind) => {
  it('a problem report: stored once, and reaches each RCPS person once', async () => {
    const writes = await failEachWrite(kind, {
      act: report,
      async settled(w) {
        expect(await w.db.db.selectFrom('problem_reports').select('code').execute()).toEqual([{ code: CODE }]);
        const [jan, ela] = await staffIds(w);
        expect(sentCounts(w, `report:${CODE}:new:`)).toEqual({ [`report:${CODE}:new:${jan}`]: 1, [`report:${CODE}:new:${ela}`]: 1 });
      },
    });
    expect(writes).toBeGreaterThanOrEqual(4);
  }, LONG);

  it('a teammate\'s comment: stored once, to every RCPS person once and to the reporter once', async () => {
    await failEachWrite(kind, {
      setup: async (w) => void (await report(w), await w.drain()),
      act: (w) => w.say(TEAMMATE, 'zgłoszenie', `${CODE} Może sala w MOPS?`),
      async settled(w) {
        const [comment] = await events(w, 'commented');
        expect(await events(w, 'commented')).toHaveLength(1);
        const [jan, ela] = await staffIds(w);
        const prefix = `report:${CODE}:event:${comment!.id}:`;
        expect(sentCounts(w, prefix)).toEqual({ [`${prefix}${jan}`]: 1, [`${prefix}${ela}`]: 1, [`${prefix}reporter`]: 1 });
      },
    });
  }, LONG);

  it('an acknowledgement: stored once, and the reporter told once', async () => {
    await failEachWrite(kind, {
      setup: async (w) => void (await report(w), await w.drain()),
      act: (w) => w.press(RCPS, 'report:ack', CODE),
      async settled(w) {
        const [ack] = await events(w, 'acknowledged');
        expect(await events(w, 'acknowledged')).toHaveLength(1);
        expect(sentCounts(w, `report:${CODE}:event:`)).toEqual({ [`report:${CODE}:event:${ack!.id}:reporter`]: 1 });
      },
    });
  }, LONG);

  it('a resolution with a comment: stored once, and the reporter told once', async () => {
    await failEachWrite(kind, {
      setup: async (w) => void (await report(w), await w.drain()),
      act: (w) => w.say(ADMIN, 'zgłoszenie', `${CODE} rozwiąż Sala 3 zarezerwowana.`),
      async settled(w) {
        const [resolved] = await events(w, 'resolved');
        expect(await events(w, 'resolved')).toHaveLength(1);
        expect(sentCounts(w, `report:${CODE}:event:`)).toEqual({ [`report:${CODE}:event:${resolved!.id}:reporter`]: 1 });
        expect((await w.db.db.selectFrom('problem_reports').select('state').executeTakeFirstOrThrow()).state).toBe('resolved');
      },
    });
  }, LONG);

  it('a status update: stored once (it sends nothing)', async () => {
    await failEachWrite(kind, {
      act: (w) => w.say(REPORTER, 'status', 'Spotkanie z kuratorem, 3 rodziny'),
      async settled(w) {
        expect(await w.db.db.selectFrom('status_updates').select('done').execute()).toEqual([{ done: 'Spotkanie z kuratorem, 3 rodziny' }]);
        expect(w.results).toEqual([]);
      },
    });
  }, LONG);
});
