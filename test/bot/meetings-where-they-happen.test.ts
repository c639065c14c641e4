import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Bot } from '../../src/bot/bot.js';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { SchedulePages } from '../../src/http/schedule-page.js';
import { createLogger } from '../../src/log.js';
import { aSchedule, aTeam, importYaml } from '../support/schedule-builder.js';
import { dialects, demoDatabase } from '../support/databases.js';

const clock = new FixedClock('2027-01-04T08:00:00Z');
const coordinator = 'anna.nowak@example.org';
const rcps = 'jan.kowalski@example.org';

/** `spotkania` and the schedule page list a meeting on the day it takes place, not the day its rule gave. */
describe.each(dialects)('meetings listed where they take place on %s', (kind) => {
  let db: Db;
  let bot: Bot;
  const say = (email: string, line: string) => {
    const [command = '', ...rest] = line.split(' ');
    return bot.handle({ type: 'command', from: { channel: 'console', email }, command, text: rest.join(' ') });
  };
  const page = async (url: string) => (await new SchedulePages({ db: db.db, clock, publicUrl: 'https://k.example.org', timezone: 'Europe/Warsaw' }).page(url)).toString('utf8');

  beforeEach(async () => {
    clock.set('2027-01-04T08:00:00Z');
    db = await demoDatabase(kind, clock);
    bot = new Bot({ db: db.db, clock, publicUrl: 'https://k.example.org', appSecret: 'k'.repeat(40), log: createLogger('silent') });
  });
  afterEach(async () => db?.close());

  it('should list the meeting moved from 13 to 14 April on the 14th, in chat and on the page', async () => {
    // The morning of the 14th: the rule's 13 April 10:00 is past, the meeting itself is at 12:00 today.
    clock.set('2027-04-14T06:00:00Z');
    expect((await say(coordinator, 'spotkania')).items?.[0]?.lines[0]).toBe('środa, 14 kwietnia 2027, 12:00');
    expect(await page('/?team=lodz&kind=meeting')).toContain('środa, 14 kwietnia 2027, 12:00');
  });

  it('should list a meeting shifted off Easter Monday on the Tuesday it takes place', async () => {
    await importYaml(db.db, clock, {
      'mon.yaml': aSchedule()
        .with(aTeam('pon').meetingsEvery('FREQ=WEEKLY;BYDAY=MO', '2027-01-04T18:00').withMember('Anna Nowak', coordinator, 'coordinator'))
        .toYaml(),
    });
    clock.set('2027-03-30T06:00:00Z');
    const listed = (await say(coordinator, 'spotkania')).items!.map((i) => i.lines[0]);
    expect(listed).toContain('wtorek, 30 marca 2027, 18:00');
    expect(await page('/?team=pon&kind=meeting')).toContain('wtorek, 30 marca 2027, 18:00');
  });

  it('should give RCPS, who is on no team, the meetings of every team in `spotkania`', async () => {
    const answer = await say(rcps, 'spotkania');
    expect(answer.text).not.toContain('nie ma zaplanowanych');
    expect(answer.items!.map((i) => i.title).join(' ')).toContain('PZK Łódź – demo');
    const one = await say(rcps, 'spotkania lowicz');
    expect(one.items!.every((i) => i.title.includes('Łowicz'))).toBe(true);
  });
});
