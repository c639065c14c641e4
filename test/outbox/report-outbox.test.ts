import { afterEach, describe, expect, it } from 'vitest';
import { dialects } from '../support/databases.js';
import { countsByAddress, openWorld, type World } from './world.js';

const REPORTER = 'katarzyna.wisniewska@example.org';
const RCPS = 'jan.kowalski@example.org';
const ADMIN = 'elzbieta.pawlak@example.org';
const CODE = 'LDZ-2027-001';
const NEW_TITLE = `Nowe zgłoszenie ${CODE} (PZK Łódź – demo)`;
const COMMENT_TITLE = `Komentarz do zgłoszenia ${CODE} (PZK Łódź – demo)`;
const OUTBOX_INSERT = /insert into "?deliveries"?/;

describe.each(dialects)('a report change and its messages are one transaction (the outbox), on %s', (kind) => {
  let world: World | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  it('should route a problem report to RCPS once when queueing its messages failed and the reporter sent it again', async () => {
    const w = (world = await openWorld(kind));
    w.faults.failFirst(OUTBOX_INSERT);
    const failed = await w.say(REPORTER, 'problem', 'Brak sali na spotkanie w lutym');
    expect(failed.title).not.toContain(CODE);
    // Nothing half-done: no report is stored without its messages.
    expect(await w.db.db.selectFrom('problem_reports').select('id').execute()).toEqual([]);
    const again = await w.say(REPORTER, 'problem', 'Brak sali na spotkanie w lutym');
    expect(again.title).toBe(`Zgłoszenie ${CODE} przyjęte do systemu`);
    await w.drain();
    expect(countsByAddress(w.sent, NEW_TITLE)).toEqual({ [RCPS]: 1, [ADMIN]: 1 });
  });

  it('should forward a member\'s comment to RCPS once when queueing it failed and the member sent it again', async () => {
    const w = (world = await openWorld(kind));
    await w.say(REPORTER, 'problem', 'Brak sali na spotkanie w lutym');
    await w.drain();
    w.faults.failFirst(OUTBOX_INSERT);
    await w.say(REPORTER, 'zgłoszenie', `${CODE} Sala 12 jest wolna tylko we wtorki.`);
    expect(await w.db.db.selectFrom('report_events').select('id').where('action', '=', 'commented').execute()).toEqual([]);
    const again = await w.say(REPORTER, 'zgłoszenie', `${CODE} Sala 12 jest wolna tylko we wtorki.`);
    expect(again.text).toBe(`Komentarz do zgłoszenia ${CODE} zapisany.`);
    await w.drain();
    expect(countsByAddress(w.sent, COMMENT_TITLE)).toEqual({ [RCPS]: 1, [ADMIN]: 1 });
  });

  it('should tell the reporter of an acknowledgement once when queueing it failed and RCPS pressed again', async () => {
    const w = (world = await openWorld(kind));
    await w.say(REPORTER, 'problem', 'Brak sali na spotkanie w lutym');
    await w.drain();
    w.faults.failFirst(OUTBOX_INSERT);
    await w.press(RCPS, 'report:ack', CODE);
    const report = await w.db.db.selectFrom('problem_reports').select('state').executeTakeFirstOrThrow();
    expect(report.state).toBe('new');
    await w.press(RCPS, 'report:ack', CODE);
    await w.drain();
    expect(countsByAddress(w.sent, `Zgłoszenie ${CODE}: przyjęte`)).toEqual({ [REPORTER]: 1 });
  });
});
