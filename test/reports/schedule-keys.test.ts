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
});
