import { afterEach, describe, expect, it } from 'vitest';
import { dialects } from '../support/databases.js';
import { sentCounts } from './each-write.js';
import { openWorld, type World } from './world.js';

const REPORTER = 'katarzyna.wisniewska@example.org';
const RCPS = 'jan.kowalski@example.org';
const ADMIN = 'elzbieta.pawlak@example.org';
const CODE = 'LDZ-2027-001';

describe.each(dialects)('report changes at the same moment, on %s', (kind) => {
  let world: World | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  it('should store one report and route it once when the same report is sent three times at once (a card clicked repeatedly)', async () => {
    const w = (world = await openWorld(kind));
    await Promise.all([1, 2, 3].map(() => w.say(REPORTER, 'problem', 'Brak sali na spotkanie w lutym')));
    await w.drain();
    expect(await w.db.db.selectFrom('problem_reports').select('code').execute()).toEqual([{ code: CODE }]);
    const [jan, ela] = [await w.personId(RCPS), await w.personId(ADMIN)];
    expect(sentCounts(w, `report:${CODE}:new:`)).toEqual({ [`report:${CODE}:new:${jan}`]: 1, [`report:${CODE}:new:${ela}`]: 1 });
  });

  it('should let one of two RCPS people acknowledging at once do it, and tell the reporter once', async () => {
    const w = (world = await openWorld(kind));
    await w.say(REPORTER, 'problem', 'Brak sali na spotkanie w lutym');
    await w.drain();
    const answers = await Promise.all([w.press(RCPS, 'report:ack', CODE), w.press(ADMIN, 'report:ack', CODE)]);
    await w.drain();
    const events = await w.db.db.selectFrom('report_events').select(['id', 'action']).where('action', '=', 'acknowledged').execute();
    expect(events).toHaveLength(1);
    expect(answers.filter((a) => a.text.includes('już'))).toHaveLength(1);
    expect(sentCounts(w, `report:${CODE}:event:`)).toEqual({ [`report:${CODE}:event:${events[0]!.id}:reporter`]: 1 });
  });
});
