import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { createProblemReport } from '../../src/reports/problem-reports.js';
import { rcpsSlackChannel } from '../../src/reports/report-routing.js';
import { formatProblem, parseScheduleText } from '../../src/schedule/load-schedule.js';
import { dialects, freshDatabase } from '../support/databases.js';
import { aTeam, importYaml } from '../support/schedule-builder.js';

const team = (id: string, extra: Record<string, unknown> = {}) => ({ ...aTeam(id).withMember('Ola Łęcka', `ola.${id}@example.org`, 'coordinator').build(), ...extra });
const file = (top: Record<string, unknown>) => stringify({ timezone: 'Europe/Warsaw', ...top });

describe('Schedule file keys of the reports work', () => {
  it('should refuse a bad report code, check-in time and RCPS channel, naming the path', () => {
    const { problems } = parseScheduleText(
      'bad.yaml',
      file({ rcps_slack_channel: '#rcps', teams: [team('lodz', { code: 'ldz', meetings: { ...(team('lodz').meetings as object), checkin_at: '9:00' } })] }),
    );
    expect(problems.map(formatProblem).join('\n')).toMatch(/rcps_slack_channel: must be a Slack channel id like C0123456/);
    expect(problems.map(formatProblem).join('\n')).toMatch(/teams\[0\]\.code: must be 2 to 5 capital letters/);
    expect(problems.map(formatProblem).join('\n')).toMatch(/teams\[0\]\.meetings\.checkin_at: must be a time like 09:00/);
  });

  it('should refuse Teams channels that are not channel ids, naming the path and a good example', () => {
    const { problems } = parseScheduleText(
      'bad.yaml',
      // A channel's name, and a whole "Get link to channel" link instead of the id in it.
      file({ rcps_teams_channel: 'RCPS zgłoszenia', teams: [team('lodz', { teams_channel: 'https://teams.microsoft.com/l/channel/19%3Aabc%40thread.tacv2/Og' })] }),
    );
    const text = problems.map(formatProblem).join('\n');
    expect(text).toMatch(/rcps_teams_channel: must be a Teams channel id like 19:a1b2c3d4e5f6@thread\.tacv2 \(from the channel's "Get link to channel"/);
    expect(text).toMatch(/teams\[0\]\.teams_channel: must be a Teams channel id like 19:/);
    const good = parseScheduleText('good.yaml', file({ rcps_teams_channel: '19:Ab-12_x@thread.skype', teams: [team('lodz', { teams_channel: '19:3f2a9c@thread.tacv2' })] }));
    expect(good.problems).toEqual([]);
  });
});

describe.each(dialects)('Importing the reports keys on %s', (kind) => {
  let db: Db;
  const clock = new FixedClock('2027-01-04T08:00:00Z');
  beforeAll(async () => {
    db = await freshDatabase(kind);
  });
  afterAll(async () => db?.close());

  it('should store the RCPS channel and number reports with the team\'s code or its first three letters', async () => {
    await importYaml(db.db, clock, { 'a.yaml': file({ rcps_slack_channel: 'C0RCPS1', teams: [team('zgierz', { code: 'ZGR' }), team('pabianice')] }) });
    expect(await rcpsSlackChannel(db.db)).toBe('C0RCPS1');
    const ola = (id: string) => db.db.selectFrom('people').selectAll().where('email', '=', `ola.${id}@example.org`).executeTakeFirstOrThrow();
    const input = { category: 'other' as const, urgency: 'normal' as const, description: 'x', link: null };
    expect((await createProblemReport(db.db, await ola('zgierz'), { ...input, teamId: 'zgierz' }, clock.now())).report.code).toBe('ZGR-2027-001');
    expect((await createProblemReport(db.db, await ola('pabianice'), { ...input, teamId: 'pabianice', description: 'y' }, clock.now())).report.code).toBe('PAB-2027-001');
    expect((await createProblemReport(db.db, await ola('zgierz'), { ...input, teamId: 'zgierz', description: 'z' }, clock.now())).report.code).toBe('ZGR-2027-002');
    // A new year starts at 001 again (midnight in Poland, 23:00 UTC).
    expect((await createProblemReport(db.db, await ola('zgierz'), { ...input, teamId: 'zgierz', description: 'w' }, new Date('2027-12-31T23:30:00Z'))).report.code).toBe('ZGR-2028-001');
    // A file that names no channel leaves it as it was.
    await importYaml(db.db, clock, { 'b.yaml': file({ teams: [team('kutno')] }) });
    expect(await rcpsSlackChannel(db.db)).toBe('C0RCPS1');
  });

  it("should store the RCPS Teams channel and each team's Teams channel, and clear a team's when its file drops it", async () => {
    const channel = '19:lodz-ogloszenia@thread.tacv2';
    await importYaml(db.db, clock, { 'c.yaml': file({ rcps_teams_channel: '19:rcps@thread.tacv2', teams: [team('lodz', { teams_channel: channel })] }) });
    const setting = await db.db.selectFrom('service_settings').select('value').where('key', '=', 'rcps_teams_channel').executeTakeFirst();
    expect(setting?.value).toBe('19:rcps@thread.tacv2');
    const lodz = () => db.db.selectFrom('teams').select('teams_channel').where('id', '=', 'lodz').executeTakeFirstOrThrow();
    expect((await lodz()).teams_channel).toBe(channel);
    await importYaml(db.db, clock, { 'c.yaml': file({ teams: [team('lodz')] }) });
    expect((await lodz()).teams_channel).toBeNull();
    // The RCPS channel stays as it was: a file that names none leaves it alone.
    expect((await db.db.selectFrom('service_settings').select('value').where('key', '=', 'rcps_teams_channel').executeTakeFirst())?.value).toBe('19:rcps@thread.tacv2');
  });
});
